// The operations live in include/CKernelIntrinsics.h as static inline functions; SwiftPM needs
// one source file to build the target.
#include "CKernelIntrinsics.h"
