// How long one thread's free of a large, populated buffer holds up another thread that maps memory: the stall that
// FaissNative.free (faiss_jni.cpp, releaseGradually) avoids. One thread maps, touches and unmaps 1 MB every
// millisecond (as a search's scratch space does); the main thread frees MB megabytes at once, or (with "sliced")
// hands them back 16 MB at a time first. Prints the prober's longest wait.
//   gcc -O2 -pthread scripts/diagnostics/unmap_stall.c -o /tmp/unmap_stall
//   /tmp/unmap_stall 3000 && /tmp/unmap_stall 3000 sliced
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static volatile int stop = 0;
static double longest = 0;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void* prober(void* unused) {
    (void) unused;
    while (!stop) {
        double t0 = now_ms();
        void* p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        memset(p, 1, 1 << 20);
        munmap(p, 1 << 20);
        double took = now_ms() - t0;
        if (took > longest) longest = took;
        usleep(1000);
    }
    return NULL;
}

int main(int argc, char** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s MB [sliced]\n", argv[0]);
        return 2;
    }
    size_t bytes = (size_t) atol(argv[1]) << 20;
    char* big = malloc(bytes);
    memset(big, 1, bytes);
    pthread_t t;
    pthread_create(&t, NULL, prober, NULL);
    sleep(1);
    double before = longest, t0 = now_ms();
    if (argc > 2) {
        size_t slice = (size_t) 16 << 20, page = (size_t) sysconf(_SC_PAGESIZE);
        char* from = (char*) (((size_t) big + page - 1) & ~(page - 1));
        char* to = (char*) (((size_t) big + bytes) & ~(page - 1));
        for (char* p = from; p < to; p += slice) {
            madvise(p, (size_t) (to - p) < slice ? (size_t) (to - p) : slice, MADV_DONTNEED);
            sched_yield();
        }
    }
    free(big);
    double freed = now_ms() - t0;
    sleep(1);
    stop = 1;
    pthread_join(t, NULL);
    printf("%s free of %s MB took %.1f ms; the prober's longest wait: %.1f ms before, %.1f ms in all\n",
           argc > 2 ? "sliced" : "plain", argv[1], freed, before, longest);
    return 0;
}
