#ifndef SECINFO_CISAL_SHIM_H
#define SECINFO_CISAL_SHIM_H

/* Intel ISA-L's inflate, which reads the gzip inputs. (Writing gzip is libdeflate's.) */
#include <isa-l/igzip_lib.h>

#endif
