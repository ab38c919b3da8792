// The one instantiation of the observation mirror for CUDA (host code; kernels in obs_kernels.cu).
#include "gpu_observation.hpp"

namespace echelon {
template class ObsMirror<cuda::CudaDevice>;
}

namespace echelon::cuda {

std::unique_ptr<ObsMirrorBase> make_cuda_mirror(const MirrorInputs& in, int device) {
    return std::make_unique<GpuObservation>(in, device);
}

}  // namespace echelon::cuda
