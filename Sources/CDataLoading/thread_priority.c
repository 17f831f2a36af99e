// Loader threads run below the engine's: they fill the prefetch queue on cores the engine
// leaves idle instead of taking time slices from a parallel op (whose slowest thread sets its end).
#define _GNU_SOURCE
#include "CDataLoading.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

int runner_thread_make_background(void) {
#if defined(__linux__) && defined(SCHED_IDLE)
    struct sched_param parameters = {0};
    if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &parameters) == 0) return 0;
#endif
    return runner_thread_set_nice(19);
}

int runner_thread_set_nice(int nice) {
#if defined(__linux__)
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
#else
    return setpriority(PRIO_PROCESS, 0, nice);
#endif
}
