import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A multi-threaded JVM workload for make distro-check, run with Java's
 * source launcher (java Threads.java). Four threads build and drop maps
 * and arrays, so that the heap grows, is collected and faults in again
 * while the JIT and GC threads run beside them. Deterministic output: one
 * checksum per thread, then their sum.
 */
public class Threads {
	static long work(int seed) {
		long state = seed * 0x9E3779B97F4A7C15L + 1;
		long sum = 0;
		for (int round = 0; round < 30; round++) {
			Map<Long, long[]> map = new HashMap<>();
			for (int i = 0; i < 20000; i++) {
				state ^= state << 13;
				state ^= state >>> 7;
				state ^= state << 17;
				long[] a = new long[16 + (int) ((state >>> 1) % 48)];
				a[0] = state;
				map.put(state % 50000, a);
			}
			for (long[] a : map.values())
				sum += a.length + (a[0] & 0xffff);
		}
		return sum;
	}

	public static void main(String[] args) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(4);
		List<Future<Long>> parts = new ArrayList<>();
		for (int t = 0; t < 4; t++) {
			final int seed = t + 1;
			parts.add(pool.submit(() -> work(seed)));
		}
		long total = 0;
		for (int t = 0; t < parts.size(); t++) {
			long v = parts.get(t).get();
			System.out.println("thread " + t + " " + v);
			total += v;
		}
		pool.shutdown();
		System.out.println("total " + total);
	}
}
