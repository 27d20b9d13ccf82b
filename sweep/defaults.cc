// Where the tools find the area calibration by default (the source tree and the build's synth cache).
#include "sweep/defaults.h"

namespace tessera::sweep {

std::string default_area_calibration() { return TESSERA_SOURCE_DIR "/sweep/area_calibration.json"; }
std::string default_source_dir() { return TESSERA_SOURCE_DIR; }
std::string default_build_dir() { return TESSERA_BUILD_DIR; }
std::string default_area_cache() { return TESSERA_BUILD_DIR "/sweep/area"; }
std::string default_gen_tool() { return TESSERA_GEN_TOOL; }

}  // namespace tessera::sweep
