// Default locations the sweep uses: the area calibration file, the source tree its config paths are
// relative to, the build tree (caches of synth runs and on-demand models in BUILD/sweep/) and the
// SV package generator.
#pragma once

#include <string>

namespace tessera::sweep {

std::string default_area_calibration();
std::string default_source_dir();
std::string default_build_dir();
std::string default_area_cache();
std::string default_gen_tool();

}  // namespace tessera::sweep
