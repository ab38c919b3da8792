#pragma once
// GpuObservation: the observation mirror (cpp/echelon/obs_mirror/obs_mirror.hpp) on a CUDA GPU.
// VecEnv(device="cuda") uses it when the extension was built with the kernels.
#include "cuda_device.hpp"

namespace echelon::cuda {

using GpuObservation = ObsMirror<CudaDevice>;

}  // namespace echelon::cuda

namespace echelon {
extern template class ObsMirror<cuda::CudaDevice>;
}
