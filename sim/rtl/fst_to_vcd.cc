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

namespace tessera {
namespace {

struct Cut {
  void* writer = nullptr;
  uint64_t from = 0, to = 0;
  std::vector<std::string> value;  // latest value per handle before `from`
  std::vector<bool> known, varlen;
  bool started = false;
  uint64_t last_time = UINT64_MAX;

  void time(uint64_t t) {
    if (t != last_time) fstWriterEmitTimeChange(writer, t), last_time = t;
  }
  void start() {
    started = true;
    time(from);
    for (size_t h = 1; h < value.size(); ++h)
      if (known[h]) emit(fstHandle(h), reinterpret_cast<const unsigned char*>(value[h].data()), uint32_t(value[h].size()));
  }
  void emit(fstHandle h, const unsigned char* v, uint32_t len) {
    if (varlen[h]) fstWriterEmitVariableLengthValueChange(writer, h, v, len);
    else fstWriterEmitValueChange(writer, h, v);
  }
  void change(uint64_t t, fstHandle h, const unsigned char* v, uint32_t len, bool is_varlen) {
    if (t > to) return;
    if (h >= value.size()) value.resize(h + 1), known.resize(h + 1), varlen.resize(h + 1);
    varlen[h] = is_varlen;
    if (t < from) {
      value[h].assign(reinterpret_cast<const char*>(v), len);
      known[h] = true;
      return;
    }
    if (!started) start();
    time(t);
    emit(h, v, len);
  }
};

void on_change(void* user, uint64_t t, fstHandle h, const unsigned char* v) {
  static_cast<Cut*>(user)->change(t, h, v, uint32_t(std::strlen(reinterpret_cast<const char*>(v))), false);
}
void on_change_varlen(void* user, uint64_t t, fstHandle h, const unsigned char* v, uint32_t len) {
  static_cast<Cut*>(user)->change(t, h, v, len, true);
}

using Reader = std::unique_ptr<void, void (*)(void*)>;
Reader open_reader(const std::string& path) {
  Reader r(fstReaderOpen(path.c_str()), fstReaderClose);
  if (!r) throw std::runtime_error("cannot read FST waveform '" + path + "' (missing or not FST)");
  return r;
}

}  // namespace

void fst_cut(const std::vector<std::string>& segments, uint64_t from, uint64_t to, const std::string& out_fst) {
  if (segments.empty()) throw std::runtime_error("fst_cut: no segments");
  Reader first = open_reader(segments[0]);
  std::unique_ptr<void, void (*)(void*)> writer(fstWriterCreate(out_fst.c_str(), 1), fstWriterClose);
  if (!writer) throw std::runtime_error("cannot write FST waveform '" + out_fst + "'");
  fstWriterSetTimescale(writer.get(), fstReaderGetTimescale(first.get()));
  // The hierarchy, signal for signal: handles are assigned in declaration order, so they match the reader's.
  for (fstHier* h; (h = fstReaderIterateHier(first.get())) != nullptr;) {
    switch (h->htyp) {
      case FST_HT_SCOPE:
        fstWriterSetScope(writer.get(), fstScopeType(h->u.scope.typ), h->u.scope.name, h->u.scope.component);
        break;
      case FST_HT_UPSCOPE: fstWriterSetUpscope(writer.get()); break;
      case FST_HT_VAR:
        fstWriterCreateVar(writer.get(), fstVarType(h->u.var.typ), fstVarDir(h->u.var.direction), h->u.var.length,
                           h->u.var.name, h->u.var.is_alias ? h->u.var.handle : 0);
        break;
      default: break;
    }
  }
  Cut cut;
  cut.writer = writer.get();
  cut.from = from, cut.to = to;
  for (const std::string& seg : segments) {
    Reader r = seg == segments[0] ? std::move(first) : open_reader(seg);
    fstReaderSetFacProcessMaskAll(r.get());
    if (!fstReaderIterBlocks2(r.get(), on_change, on_change_varlen, &cut, nullptr))
      throw std::runtime_error("FST waveform '" + seg + "' is truncated or corrupt");
  }
  if (!cut.started) cut.start();  // the window lies past every change: the values at `from`
}

std::vector<std::string> fst_scopes(const std::string& fst_path) {
  Reader r = open_reader(fst_path);
  std::vector<std::string> out, stack;
  for (fstHier* h; (h = fstReaderIterateHier(r.get())) != nullptr;) {
    if (h->htyp == FST_HT_SCOPE) {
      stack.push_back(stack.empty() ? std::string(h->u.scope.name) : stack.back() + "." + h->u.scope.name);
      out.push_back(stack.back());
    } else if (h->htyp == FST_HT_UPSCOPE && !stack.empty()) {
      stack.pop_back();
    }
  }
  return out;
}

uint64_t fst_var_count(const std::string& fst_path) {
  Reader r(fstReaderOpen(fst_path.c_str()), fstReaderClose);
  return r ? fstReaderGetVarCount(r.get()) : 0;
}

}  // namespace tessera
