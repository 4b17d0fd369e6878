#ifndef SECINFO_CLIBXML2_SHIM_H
#define SECINFO_CLIBXML2_SHIM_H

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>

/* xmlFree is a C global variable, which Swift 6 refuses to read: call it through a function. */
static inline void CLibXML2_free(void *pointer) { xmlFree(pointer); }

#endif
