// The .tsp program container: a self-describing compiled program (docs/program-format.md).
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "isa/config.h"
#include "isa/insn.h"

namespace tessera {

// A rejected program: the message names the file, the byte offset (when reading) and the field.
class ProgramError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// INTERNAL: an intermediate activation of a network, written and read by its steps.
enum class TensorDir : uint8_t { INPUT = 0, OUTPUT = 1, INTERNAL = 2 };
// FLOAT32 tensors (host steps' operands) keep scale/zero_point, conventionally 1 and 0.
enum class DType : uint8_t { INT8 = 0, UINT8 = 1, INT32 = 2, FLOAT32 = 3 };
const char* tensor_dir_name(TensorDir d);
const char* dtype_name(DType t);
int dtype_bytes(DType t);
// Name lookups for text formats; false when the name is unknown.
bool parse_tensor_dir(const std::string& name, TensorDir* out);
bool parse_dtype(const std::string& name, DType* out);

// A named input, output or intermediate tensor of the program and where it lives in device DRAM.
struct TensorInfo {
  std::string name;
  TensorDir dir = TensorDir::INPUT;
  DType dtype = DType::INT8;
  std::vector<int64_t> shape;  // logical shape, every dimension >= 1
  std::string layout;          // how the logical shape is laid out in DRAM, e.g. "NCHW" or "NCHW1n16c"
  double scale = 1.0;          // real value = scale * (q - zero_point)
  int32_t zero_point = 0;
  uint64_t dram_offset = 0;    // byte offset in device DRAM
  uint64_t bytes = 0;          // DRAM bytes the layout occupies (>= elements * dtype size)
  bool operator==(const TensorInfo& o) const;
};

// Constant bytes placed in DRAM before the program runs (packed weights, biases, multipliers).
struct DramSegment {
  uint64_t offset = 0;
  std::vector<uint8_t> bytes;
  bool operator==(const DramSegment& o) const { return offset == o.offset && bytes == o.bytes; }
};

// One step of a network program; the driver executes steps in order.
enum class StepKind : uint8_t { ACCEL = 0, HOST = 1 };
const char* step_kind_name(StepKind k);  // "accel", "host"
bool parse_step_kind(const std::string& name, StepKind* out);

struct Step {
  StepKind kind = StepKind::ACCEL;
  std::string name;                          // the layer / ONNX node it stands for
  std::string op;                            // ACCEL: layer kind ("conv", "dense", ...); HOST: operator ("Softmax", ...)
  uint64_t insn_begin = 0, insn_end = 0;     // ACCEL: instructions [begin, end), the last a FINISH. HOST: both 0
  std::vector<std::string> inputs, outputs;  // tensor names from the program's tensor table
  std::map<std::string, std::string> attrs;  // HOST: operator attributes; ACCEL: report data (macs, ...)
  bool operator==(const Step& o) const;
};

// Limits that keep an untrusted file from sizing allocations: steps per program, and inputs, outputs
// or attributes per step.
constexpr size_t kMaxProgramSteps = 100000;
constexpr size_t kMaxStepListEntries = 64;

struct Program {
  HwConfig config;              // the accelerator the program was compiled for
  std::vector<Insn> insns;
  std::vector<Uop> uops;        // micro-op block, placed contiguously at uop_dram_offset
  uint64_t uop_dram_offset = 0; // byte offset; a multiple of the micro-op size
  std::vector<DramSegment> constants;
  std::vector<TensorInfo> tensors;
  uint64_t dram_bytes = 0;      // device DRAM the program needs, in bytes
  // Empty: the whole instruction stream is one accelerator run (a single-layer program).
  std::vector<Step> steps;
  bool operator==(const Program& o) const;
};

// Largest DRAM a program may claim (2^40 bytes); keeps a hostile file from requesting absurd memory.
constexpr uint64_t kMaxProgramDramBytes = uint64_t{1} << 40;

// One inconsistency found by program_issues(): which part of the program and which entry.
enum class ProgramPart : uint8_t { HEADER, INSNS, UOPS, CONSTANTS, TENSORS, STEPS };
struct ProgramIssue {
  ProgramPart part;
  size_t index;  // entry within the part (instruction, segment, tensor or step); 0 for HEADER/UOPS
  std::string message;
};
// Checks placement and naming against the config: everything inside dram_bytes, micro-op block
// aligned, constant segments and micro-ops disjoint, tensor names unique, sizes consistent, every
// instruction encodable; steps (when present) well-formed, covering every instruction, naming known
// tensors (docs/program-format.md lists every rule). Empty when the program is sound.
std::vector<ProgramIssue> program_issues(const Program& p, const DerivedConfig& cfg);

// Serialize; throws ProgramError (naming `origin`) when program_issues() reports anything.
std::vector<uint8_t> write_program(const Program& p, const std::string& origin = "<program>");
void write_program_file(const Program& p, const std::string& path);
// Parse and fully validate; every failure is a ProgramError naming origin, byte offset and field.
Program read_program(const std::vector<uint8_t>& bytes, const std::string& origin);
Program read_program_file(const std::string& path);

// The device DRAM before execution: dram_bytes long, micro-ops and constants placed, the rest zero.
std::vector<uint8_t> initial_dram(const Program& p, const DerivedConfig& cfg);

// ---- device DRAM: capacity and lazily committed memory (issue #14) ----------------------------------

// The device's DRAM capacity when neither the run nor the caller names one: 4 GiB, the DDR4 of a
// ZCU104-class board (tessera run --dram-capacity changes it).
constexpr uint64_t kDefaultDramCapacity = uint64_t{4} << 30;

// "8 GiB", "1.5 MiB", "100 bytes": a byte count for messages.
std::string format_bytes(uint64_t n);
// Parses a byte count with an optional K/M/G/T suffix (binary: 1K = 1024) or KiB/MiB/GiB/TiB; false
// when malformed, zero or too large for 64 bits.
bool parse_byte_count(const std::string& text, uint64_t* out);

// Refuses a program whose header field dram_bytes exceeds the device's DRAM `capacity`: a ProgramError
// naming `origin`, the header's byte offset, the field, the amount and the limit.
void check_dram_capacity(const Program& p, uint64_t capacity, const std::string& origin);

// A non-owning view of device DRAM: byte 0 is dram_base 0.
struct DramSpan {
  uint8_t* ptr = nullptr;
  uint64_t bytes = 0;
  uint8_t* data() const { return ptr; }
  uint64_t size() const { return bytes; }
};

// Device DRAM of `size` bytes, zero, committed lazily: the range is reserved (mmap, no swap
// reservation) and the OS backs a page only once it is written, so a sparse address map costs the
// pages its program places and writes. Reads of untouched pages return zeros without committing them.
// The mapping extends to the next page boundary: bytes past size() up to it are zero and writable
// (a bus model may pad the window to whole beats).
class DeviceMemory {
 public:
  DeviceMemory() = default;
  explicit DeviceMemory(uint64_t size);  // throws std::runtime_error when the range cannot be reserved
  ~DeviceMemory();
  DeviceMemory(DeviceMemory&& o) noexcept;
  DeviceMemory& operator=(DeviceMemory&& o) noexcept;
  DeviceMemory(const DeviceMemory&) = delete;
  DeviceMemory& operator=(const DeviceMemory&) = delete;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  DramSpan span() { return {data_, size_}; }
  // Bytes of the range the OS has backed with memory (whole pages), from mincore(2).
  uint64_t resident_bytes() const;

 private:
  uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
};

// initial_dram() as lazily committed device memory: only the pages of micro-ops and constants are
// touched. Checks the program (program_issues) first.
DeviceMemory initial_device_memory(const Program& p, const DerivedConfig& cfg);

}  // namespace tessera
