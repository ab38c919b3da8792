#pragma once
// ECHELON_HD marks math shared by the CPU core and the CUDA kernels.
#if defined(__CUDACC__)
#define ECHELON_HD __host__ __device__
#else
#define ECHELON_HD
#endif
