// The prefetch hint lives in include/CPrefetch.h as a static inline function; SwiftPM needs one
// source file to build the target.
#include "CPrefetch.h"
