// Default locations the sweep uses: the area calibration file, the source tree its config paths are
// relative to, and the cache of synth runs (BUILD/sweep/area/<config hash>/).
#pragma once

#include <string>

namespace tessera::sweep {

std::string default_area_calibration();
std::string default_source_dir();
std::string default_area_cache();

}  // namespace tessera::sweep
