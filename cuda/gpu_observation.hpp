#pragma once
// The observation mirror (cpp/echelon/obs/mirror.hpp) on a CUDA GPU: BatchSim builds one for
// ObsBackend::Cuda (VecEnv(device="cuda") when the extension was built with the kernels).
#include <memory>

#include "cuda_device.hpp"

namespace echelon::cuda {

using GpuObservation = ObsMirror<CudaDevice>;

// The mirror on GPU `device`; it computes into device memory on the caller's stream.
std::unique_ptr<ObsMirrorBase> make_cuda_mirror(const MirrorInputs& in, int device);

}  // namespace echelon::cuda

namespace echelon {
extern template class ObsMirror<cuda::CudaDevice>;
}
