/*
 * Fixed-width types for freestanding and hosted builds alike. The macros
 * below the types also serve assembly (.S files define __ASSEMBLY__).
 */
#ifndef LIB_TYPES_H
#define LIB_TYPES_H

#ifdef __ASSEMBLY__
#define BIT(n) (1 << (n))
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define BIT(n) (1ULL << (n))
#endif
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a)-1) & ~((u64)(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((u64)(a)-1))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define PAGE_SIZE 4096ULL

#endif
