-- make distro-check: sqlite3 loading a database (run-programs.sh). 200000
-- rows made by a recursive query, two indexes, then aggregates;
-- deterministic, so that the runs with SPF off and on print the same.
PRAGMA journal_mode = WAL;
PRAGMA cache_size = -65536;
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER, item TEXT, qty INTEGER, price INTEGER);
BEGIN;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 200000)
INSERT INTO orders
SELECT x, (x * 7919) % 20011, printf('item-%05d', (x * 104729) % 50021), 1 + x % 17, (x * 31) % 9973
FROM n;
COMMIT;
CREATE INDEX orders_customer ON orders (customer);
CREATE INDEX orders_item ON orders (item, qty);
SELECT count(*), sum(qty * price), count(DISTINCT customer), count(DISTINCT item) FROM orders;
SELECT customer, sum(qty * price) AS total FROM orders GROUP BY customer ORDER BY total DESC, customer LIMIT 5;
SELECT item, count(*) FROM orders WHERE item BETWEEN 'item-01000' AND 'item-01010' GROUP BY item ORDER BY item;
PRAGMA integrity_check;
