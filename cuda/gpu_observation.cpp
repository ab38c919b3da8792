// The one instantiation of the observation mirror for CUDA (host code; kernels in obs_kernels.cu).
#include "gpu_observation.hpp"

namespace echelon {
template class ObsMirror<cuda::CudaDevice>;
}
