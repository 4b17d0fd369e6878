#ifndef SECINFO_CMALLOC_SHIM_H
#define SECINFO_CMALLOC_SHIM_H

/* glibc's malloc tuning (mallopt), which the Glibc module does not bring. */
#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

#endif
