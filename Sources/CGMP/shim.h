#ifndef EXACT_INTERP_CGMP_SHIM_H
#define EXACT_INTERP_CGMP_SHIM_H
// GMP's public names (mpq_add, ...) are macros over __gmpq_add etc.; Swift imports the
// underlying functions. Nothing else is wrapped here.
#include <gmp.h>
#endif
