#ifndef SECINFO_CLIBCEXTRAS_SHIM_H
#define SECINFO_CLIBCEXTRAS_SHIM_H

/* What Swift's Glibc module does not bring. */

/* glibc's malloc tuning (mallopt), for the command line. */
#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

/* The compiler's prefetch hint, which Swift cannot name: a load that does not wait for its cache line. */
static inline void secinfo_prefetch(const void *address) { __builtin_prefetch(address); }

#endif
