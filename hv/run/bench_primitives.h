#ifndef HV_RUN_BENCH_PRIMITIVES_H
#define HV_RUN_BENCH_PRIMITIVES_H

/* Measure the PMU and VMX primitives and print them as a results block (source "prim"). */
void bench_primitives_run(void);

#endif
