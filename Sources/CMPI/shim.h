#ifndef RUNNER_CMPI_SHIM_H
#define RUNNER_CMPI_SHIM_H
// Open MPI for the data-parallel trainer. MPI's predefined handles (MPI_COMM_WORLD, MPI_FLOAT,
// MPI_SUM, MPI_IN_PLACE, ...) are casting macros Swift cannot import, so every call the runner
// makes is wrapped here on MPI_COMM_WORLD. Each returns MPI's error code (MPI_SUCCESS is 0).
#include <mpi.h>

/// Whether MPI_Init has run in this process.
static inline int runner_mpi_is_initialized(void) {
    int flag = 0;
    MPI_Initialized(&flag);
    return flag;
}

/// MPI_Init_thread with MPI_THREAD_FUNNELED: only the main thread calls MPI.
static inline int runner_mpi_init(void) {
    int provided = 0;
    return MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
}

static inline int runner_mpi_finalize(void) { return MPI_Finalize(); }

static inline int runner_mpi_rank(void) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

static inline int runner_mpi_size(void) {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

/// In-place sum over all ranks of `count` floats.
static inline int runner_mpi_allreduce_sum_float(float *buffer, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}

/// In-place sum over all ranks of `count` doubles.
static inline int runner_mpi_allreduce_sum_double(double *buffer, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

/// `bytes` bytes from rank `root` to every rank.
static inline int runner_mpi_broadcast(void *buffer, int bytes, int root) {
    return MPI_Bcast(buffer, bytes, MPI_BYTE, root, MPI_COMM_WORLD);
}

static inline int runner_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

/// Ends every rank of the job with `code`.
static inline void runner_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }
#endif
