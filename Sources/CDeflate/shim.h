#ifndef SECINFO_CDEFLATE_SHIM_H
#define SECINFO_CDEFLATE_SHIM_H

#include <libdeflate.h>

#endif
