// Factories of the concrete backends (internal to the driver; use make_backend()).
#pragma once

#include <memory>

#include "driver/backend.h"

namespace tessera {

std::unique_ptr<Backend> make_fsim_backend(const DerivedConfig& cfg);
#ifdef TESSERA_HAVE_RTL
std::unique_ptr<Backend> make_rtl_backend(const DerivedConfig& cfg);
#endif
#ifdef TESSERA_HAVE_SYSTEMC
std::unique_ptr<Backend> make_systemc_backend(const DerivedConfig& cfg);
#endif
#ifdef TESSERA_HAVE_XRT
std::unique_ptr<Backend> make_xrt_backend(const DerivedConfig& cfg);
#endif

}  // namespace tessera
