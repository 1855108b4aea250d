// JNI shim over FAISS for dev.lfr.udfs.index.FaissNative. Every entry point catches C++ exceptions and rethrows
// them as dev.lfr.udfs.index.IndexException, so a FAISS error can never take the JVM down.
#include <jni.h>
#include <dlfcn.h>
#include <omp.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <faiss/Index.h>
#include <faiss/IndexFlatCodes.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>
#include <faiss/utils/distances.h>

#include "dev_lfr_udfs_index_FaissNative.h"

using idx_t = faiss::Index::idx_t;
static_assert(sizeof(idx_t) == sizeof(jlong), "FAISS ids and Java longs must have the same size");

namespace {

void throwJava(JNIEnv* env, const char* message) {
    jclass cls = env->FindClass("dev/lfr/udfs/index/IndexException");
    if (cls != nullptr) {
        env->ThrowNew(cls, message);
    }
}

faiss::Index* indexOf(JNIEnv* env, jlong handle) {
    if (handle == 0) {
        throwJava(env, "the index is closed");
    }
    return reinterpret_cast<faiss::Index*>(handle);
}

faiss::IndexHNSW* hnswOf(faiss::Index* index) {
    if (auto* map = dynamic_cast<faiss::IndexIDMap*>(index)) {
        index = map->index;
    }
    return dynamic_cast<faiss::IndexHNSW*>(index);
}

// Room for the codes of {@code rows} vectors in a flat or scalar-quantised store (both keep one code array).
void reserveCodes(faiss::Index* index, size_t rows) {
    if (auto* flat = dynamic_cast<faiss::IndexFlatCodes*>(index)) {
        flat->codes.reserve(rows * flat->code_size);
    }
}

// Hands a large buffer's pages back to the kernel a slice at a time, before it is freed. Unmapping a populated
// multi-gigabyte buffer at once holds the process's memory-map lock for its whole length (3 GB: 259 ms on the
// project's machine, scripts/diagnostics/unmap_stall.c), and every thread that maps memory meanwhile waits: a
// camera's search mapping its scratch space, the JVM mapping heap. A 16 MB slice holds it about a millisecond, and a
// waiting thread goes between two slices.
void releaseGradually(void* data, size_t bytes) {
    constexpr size_t slice = size_t{16} << 20;
    if (data == nullptr || bytes < 4 * slice) {
        return;  // small buffers cost less to unmap than to slice
    }
    const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t from = (reinterpret_cast<uintptr_t>(data) + page - 1) & ~(page - 1);
    const uintptr_t to = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(page - 1);
    for (uintptr_t p = from; p < to; p += slice) {
        madvise(reinterpret_cast<void*>(p), std::min<uintptr_t>(slice, to - p), MADV_DONTNEED);
        sched_yield();
    }
}

template <typename T>
void releaseGradually(std::vector<T>& v) {
    releaseGradually(v.data(), v.capacity() * sizeof(T));
}

// The big arrays of the layouts the shim makes (codes, graph links, id maps), released before the index is deleted.
void releaseIndexMemory(faiss::Index* index) {
    if (auto* map = dynamic_cast<faiss::IndexIDMap*>(index)) {
        releaseGradually(map->id_map);
        index = map->own_fields ? map->index : nullptr;  // an index it does not own may still be in use
    }
    if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(index)) {
        releaseGradually(hnsw->hnsw.neighbors);
        releaseGradually(hnsw->hnsw.offsets);
        releaseGradually(hnsw->hnsw.levels);
        index = hnsw->own_fields ? hnsw->storage : nullptr;
    }
    if (auto* flat = dynamic_cast<faiss::IndexFlatCodes*>(index)) {
        releaseGradually(flat->codes);
    }
}

}  // namespace

#define GUARDED(ret, body)                                      \
    try {                                                       \
        body                                                    \
    } catch (const std::exception& e) {                         \
        throwJava(env, e.what());                               \
    } catch (...) {                                             \
        throwJava(env, "unknown error in the FAISS shim");      \
    }                                                           \
    return ret;

extern "C" {

JNIEXPORT jlong JNICALL Java_dev_lfr_udfs_index_FaissNative_create(JNIEnv* env, jclass, jint dimension,
                                                                     jstring description, jboolean innerProduct) {
    GUARDED(0, {
        const char* chars = env->GetStringUTFChars(description, nullptr);
        std::string desc(chars);
        env->ReleaseStringUTFChars(description, chars);
        faiss::Index* index = faiss::index_factory(dimension, desc.c_str(),
                                                   innerProduct ? faiss::METRIC_INNER_PRODUCT : faiss::METRIC_L2);
        return reinterpret_cast<jlong>(index);
    })
}

JNIEXPORT void JNICALL Java_dev_lfr_udfs_index_FaissNative_free(JNIEnv* env, jclass, jlong handle) {
    GUARDED(, {
        faiss::Index* index = reinterpret_cast<faiss::Index*>(handle);
        releaseIndexMemory(index);
        delete index;
    })
}

JNIEXPORT void JNICALL Java_dev_lfr_udfs_index_FaissNative_addWithIds(JNIEnv* env, jclass, jlong handle,
                                                                        jfloatArray rows, jlongArray ids) {
    faiss::Index* index = indexOf(env, handle);
    if (index == nullptr) return;
    jsize n = env->GetArrayLength(ids);
    if (env->GetArrayLength(rows) != static_cast<jsize>(n * index->d)) {
        throwJava(env, "rows and ids do not match the index dimension");
        return;
    }
    std::vector<float> x(static_cast<size_t>(n) * index->d);
    std::vector<idx_t> labels(n);
    env->GetFloatArrayRegion(rows, 0, static_cast<jsize>(x.size()), x.data());
    env->GetLongArrayRegion(ids, 0, n, reinterpret_cast<jlong*>(labels.data()));
    GUARDED(, {
        index->add_with_ids(n, x.data(), labels.data());
        releaseGradually(x);  // a background build's batch of rows is over a hundred megabytes
    })
}

JNIEXPORT void JNICALL Java_dev_lfr_udfs_index_FaissNative_train(JNIEnv* env, jclass, jlong handle, jfloatArray rows) {
    faiss::Index* index = indexOf(env, handle);
    if (index == nullptr) return;
    jsize length = env->GetArrayLength(rows);
    if (length == 0 || length % index->d != 0) {
        throwJava(env, "training rows do not match the index dimension");
        return;
    }
    std::vector<float> x(length);
    env->GetFloatArrayRegion(rows, 0, length, x.data());
    GUARDED(, { index->train(length / index->d, x.data()); })
}

JNIEXPORT jboolean JNICALL Java_dev_lfr_udfs_index_FaissNative_isTrained(JNIEnv* env, jclass, jlong handle) {
    faiss::Index* index = indexOf(env, handle);
    return index != nullptr && index->is_trained;
}

JNIEXPORT jlong JNICALL Java_dev_lfr_udfs_index_FaissNative_removeIds(JNIEnv* env, jclass, jlong handle,
                                                                        jlongArray ids) {
    faiss::Index* index = indexOf(env, handle);
    if (index == nullptr) return 0;
    jsize n = env->GetArrayLength(ids);
    std::vector<idx_t> labels(n);
    env->GetLongArrayRegion(ids, 0, n, reinterpret_cast<jlong*>(labels.data()));
    GUARDED(0, {
        faiss::IDSelectorBatch selector(n, labels.data());
        return static_cast<jlong>(index->remove_ids(selector));
    })
}

JNIEXPORT void JNICALL Java_dev_lfr_udfs_index_FaissNative_search(JNIEnv* env, jclass, jlong handle,
                                                                    jfloatArray queries, jint nq, jint k,
                                                                    jfloatArray scores, jlongArray labels) {
    faiss::Index* index = indexOf(env, handle);
    if (index == nullptr) return;
    size_t results = static_cast<size_t>(nq) * k;
    if (env->GetArrayLength(queries) != static_cast<jsize>(nq * index->d) ||
        env->GetArrayLength(scores) != static_cast<jsize>(results) ||
        env->GetArrayLength(labels) != static_cast<jsize>(results)) {
        throwJava(env, "search arrays do not match nq, k and the index dimension");
        return;
    }
    std::vector<float> x(static_cast<size_t>(nq) * index->d);
    std::vector<float> d(results);
    std::vector<idx_t> l(results);
    env->GetFloatArrayRegion(queries, 0, static_cast<jsize>(x.size()), x.data());
    GUARDED(, {
        index->search(nq, x.data(), k, d.data(), l.data());
        env->SetFloatArrayRegion(scores, 0, static_cast<jsize>(results), d.data());
        env->SetLongArrayRegion(labels, 0, static_cast<jsize>(results), reinterpret_cast<jlong*>(l.data()));
    })
}

// Grows every array an add appends to, so that adds up to {@code rows} vectors never reallocate: past its capacity a
// std::vector copies itself whole, which on a million-row index holds its caller for seconds.
JNIEXPORT void JNICALL Java_dev_lfr_udfs_index_FaissNative_reserve(JNIEnv* env, jclass, jlong handle, jlong rows) {
    faiss::Index* index = indexOf(env, handle);
    if (index == nullptr) return;
    GUARDED(, {
        size_t n = static_cast<size_t>(rows);
        if (auto* map = dynamic_cast<faiss::IndexIDMap*>(index)) {
            map->id_map.reserve(n);
            if (auto* map2 = dynamic_cast<faiss::IndexIDMap2*>(index)) {
                map2->rev_map.reserve(n);
            }
            index = map->index;
        }
        reserveCodes(index, n);
        if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(index)) {
            reserveCodes(hnsw->storage, n);
            faiss::HNSW& graph = hnsw->hnsw;
            size_t more = n > static_cast<size_t>(hnsw->ntotal) ? n - hnsw->ntotal : 0;
            graph.levels.reserve(n);
            graph.offsets.reserve(n + 1);
            // a node's links: a full layer 0 (2M), and one node in M also has M on layer 1 (one in M^2 on layer 2):
            // about 2M + 1 a node, with a margin
            graph.neighbors.reserve(graph.offsets.back() + more * (graph.nb_neighbors(0) + 4));
        }
    })
}

JNIEXPORT jlong JNICALL Java_dev_lfr_udfs_index_FaissNative_count(JNIEnv* env, jclass, jlong handle) {
    faiss::Index* index = indexOf(env, handle);
    return index == nullptr ? 0 : static_cast<jlong>(index->ntotal);
}

JNIEXPORT jfloatArray JNICALL Java_dev_lfr_udfs_index_FaissNative_reconstruct(JNIEnv* env, jclass, jlong handle,
                                                                               jlongArray ids) {
    faiss::Index* index = indexOf(env, handle);
    if (index == nullptr) return nullptr;
    jsize n = env->GetArrayLength(ids);
    std::vector<idx_t> labels(n);
    env->GetLongArrayRegion(ids, 0, n, reinterpret_cast<jlong*>(labels.data()));
    GUARDED(nullptr, {
        std::vector<float> out(static_cast<size_t>(n) * index->d);
        for (jsize i = 0; i < n; i++) {
            index->reconstruct(labels[i], out.data() + static_cast<size_t>(i) * index->d);
        }
        jfloatArray result = env->NewFloatArray(static_cast<jsize>(out.size()));
        if (result != nullptr) {
            env->SetFloatArrayRegion(result, 0, static_cast<jsize>(out.size()), out.data());
        }
        return result;
    })
}

JNIEXPORT jbyteArray JNICALL Java_dev_lfr_udfs_index_FaissNative_serialize(JNIEnv* env, jclass, jlong handle) {
    faiss::Index* index = indexOf(env, handle);
    if (index == nullptr) return nullptr;
    GUARDED(nullptr, {
        faiss::VectorIOWriter writer;
        faiss::write_index(index, &writer);
        jbyteArray result = env->NewByteArray(static_cast<jsize>(writer.data.size()));
        if (result != nullptr) {
            env->SetByteArrayRegion(result, 0, static_cast<jsize>(writer.data.size()),
                                    reinterpret_cast<const jbyte*>(writer.data.data()));
        }
        return result;
    })
}

JNIEXPORT jlong JNICALL Java_dev_lfr_udfs_index_FaissNative_deserialize(JNIEnv* env, jclass, jbyteArray bytes) {
    GUARDED(0, {
        faiss::VectorIOReader reader;
        reader.data.resize(env->GetArrayLength(bytes));
        env->GetByteArrayRegion(bytes, 0, static_cast<jsize>(reader.data.size()),
                                reinterpret_cast<jbyte*>(reader.data.data()));
        return reinterpret_cast<jlong>(faiss::read_index(&reader));
    })
}

JNIEXPORT void JNICALL Java_dev_lfr_udfs_index_FaissNative_setHnswEfSearch(JNIEnv* env, jclass, jlong handle,
                                                                             jint efSearch) {
    faiss::Index* index = indexOf(env, handle);
    if (index == nullptr) return;
    if (faiss::IndexHNSW* hnsw = hnswOf(index)) hnsw->hnsw.efSearch = efSearch;
}

JNIEXPORT void JNICALL Java_dev_lfr_udfs_index_FaissNative_setHnswEfConstruction(JNIEnv* env, jclass, jlong handle,
                                                                                   jint efConstruction) {
    faiss::Index* index = indexOf(env, handle);
    if (index == nullptr) return;
    if (faiss::IndexHNSW* hnsw = hnswOf(index)) hnsw->hnsw.efConstruction = efConstruction;
}

JNIEXPORT void JNICALL Java_dev_lfr_udfs_index_FaissNative_setBlasThreshold(JNIEnv*, jclass, jint queries) {
    faiss::distance_compute_blas_threshold = queries;
}

JNIEXPORT jboolean JNICALL Java_dev_lfr_udfs_index_FaissNative_yieldToOtherThreads(JNIEnv*, jclass, jint nice) {
    // OpenMP's thread count is a per-thread setting: parallel regions started from this thread run on it alone,
    // so a background build takes one core and leaves the others to the cameras' threads
    omp_set_num_threads(1);
    // on Linux a thread's nice value is its own (setpriority on its tid); raising it needs no privilege
    return setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice) == 0 ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT void JNICALL Java_dev_lfr_udfs_index_FaissNative_setThreads(JNIEnv*, jclass, jint threads) {
    omp_set_num_threads(threads);
    // FAISS hands batches of 20+ queries to BLAS; OpenBLAS has its own pool. Looked up at run time because the
    // BLAS behind libblas.so.3 may be the reference one, which has no threads to set.
    using SetThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
        set(threads);
    }
}

}  // extern "C"
