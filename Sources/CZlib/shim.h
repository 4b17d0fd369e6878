#ifndef SECINFO_CZLIB_SHIM_H
#define SECINFO_CZLIB_SHIM_H

#include <zlib.h>

/* inflateInit2 is a function-like macro, which Swift cannot import. (Writing gzip is libdeflate's.) */
static inline int CZlib_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

#endif
