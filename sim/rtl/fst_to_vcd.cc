// FST -> VCD with gtkwave's FST reader as shipped by Verilator; the reader's code is linked from the
// verilated model (verilated_fst_c.cpp compiles fstapi.c), so this unit only calls it.
#include "sim/rtl/fst_to_vcd.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "gtkwave/fstapi.h"

namespace tessera {

void fst_to_vcd(const std::string& fst_path, const std::string& vcd_path) {
  std::unique_ptr<void, void (*)(void*)> reader(fstReaderOpen(fst_path.c_str()), fstReaderClose);
  if (!reader) throw std::runtime_error("cannot read FST waveform '" + fst_path + "' (missing or not FST)");
  std::unique_ptr<FILE, int (*)(FILE*)> vcd(std::fopen(vcd_path.c_str(), "w"), std::fclose);
  if (!vcd) throw std::runtime_error("cannot write VCD waveform '" + vcd_path + "': " + std::strerror(errno));
  // With a FILE*, the reader prints the header, then (no callback) every selected signal's changes as VCD
  // text. Printing the header resets the selection, so all signals are selected after it.
  const bool header = fstReaderProcessHier(reader.get(), vcd.get());
  fstReaderSetFacProcessMaskAll(reader.get());
  if (!header || !fstReaderIterBlocks(reader.get(), nullptr, nullptr, vcd.get()))
    throw std::runtime_error("FST waveform '" + fst_path + "' is truncated or corrupt; VCD '" + vcd_path + "' is incomplete");
  if (std::fflush(vcd.get()) != 0 || std::ferror(vcd.get()))
    throw std::runtime_error("writing VCD waveform '" + vcd_path + "' failed: " + std::strerror(errno));
}

}  // namespace tessera
