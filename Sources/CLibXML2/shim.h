#ifndef SECINFO_CLIBXML2_SHIM_H
#define SECINFO_CLIBXML2_SHIM_H

/* Debian's libxml2 is built with ICU, and its headers then pull in the system ICU, whose UErrorCode clashes
   with Foundation's own in any module that sees both ("'UErrorCode' has different definitions", debug builds).
   secinfo reads and writes UTF-8 only, so the ICU part of the API is not needed: leave it out. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>

/* xmlFree is a C global variable, which Swift 6 refuses to read: call it through a function. */
static inline void CLibXML2_free(void *pointer) { xmlFree(pointer); }

#endif
