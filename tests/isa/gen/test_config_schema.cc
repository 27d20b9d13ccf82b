// The strict parser enforces exactly what isa/config_schema.def (and so docs/params.md) says, key by key.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "isa/config.h"

namespace tessera {
namespace {

using json = nlohmann::json;

json default_config() {
  std::ifstream in(std::string(TESSERA_SOURCE_DIR) + "/configs/default.json");
  return json::parse(in);
}

struct Key {
  std::string section, key, type;
  double lo, hi;
  bool flag;
};
const std::vector<Key> kKeys = {
#define TESSERA_CONFIG_KEY(SEC, KEY, MEMBER, TYPE, LO, HI, FLAG, DOC) {#SEC, #KEY, #TYPE, double(LO), double(HI), FLAG != 0},
#include "isa/config_schema.def"
#undef TESSERA_CONFIG_KEY
};

json& slot(json& j, const Key& k) { return k.section.empty() ? j[k.key] : j[k.section][k.key]; }
std::string path(const Key& k) { return (k.section.empty() ? "" : "/" + k.section) + "/" + k.key; }

std::string error_of(const json& j) {
  try {
    parse_config(j.dump(), "s.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigSchema, EveryKeyIsRequired) {
  for (const auto& k : kKeys) {
    json j = default_config();
    (k.section.empty() ? j : j[k.section]).erase(k.key);
    EXPECT_NE(error_of(j).find("s.json: " + path(k) + ": missing required key"), std::string::npos) << path(k);
  }
}

TEST(ConfigSchema, EveryNumericKeyIsRangeChecked) {
  for (const auto& k : kKeys) {
    if (k.type == "STRING") continue;
    for (double bad : {k.lo - 1, k.hi + 1}) {
      json j = default_config();
      slot(j, k) = k.type == "INT" ? json(int64_t(bad)) : json(bad);
      EXPECT_NE(error_of(j).find(path(k) + ": value"), std::string::npos) << path(k) << " = " << bad;
    }
    for (double good : {k.lo, k.hi}) {
      json j = default_config();
      slot(j, k) = k.type == "INT" ? json(int64_t(good)) : json(good);
      EXPECT_EQ(error_of(j).find(path(k) + ": value"), std::string::npos) << path(k) << " = " << good;
    }
  }
}

TEST(ConfigSchema, PowerOfTwoFlagIsEnforced) {
  int checked = 0;
  for (const auto& k : kKeys) {
    if (k.type != "INT" || k.lo == k.hi) continue;
    const int64_t odd = (int64_t(k.lo) | 1) + 2;  // odd and above 1: never a power of two
    if (odd > k.hi) continue;
    json j = default_config();
    slot(j, k) = odd;
    const bool rejected = error_of(j).find(path(k) + ": must be a power of two") != std::string::npos;
    EXPECT_EQ(rejected, k.flag) << path(k) << " = " << odd;
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

TEST(ConfigSchema, IdentifierFlagIsEnforced) {
  for (const auto& k : kKeys) {
    if (k.type != "STRING") continue;
    json j = default_config();
    slot(j, k) = "Not-An-Identifier";
    const bool rejected = error_of(j).find(path(k) + ": must be a non-empty identifier") != std::string::npos;
    EXPECT_EQ(rejected, k.flag) << path(k);
  }
}

TEST(ConfigSchema, WrittenConfigsFollowTheTableOrder) {
  const HwConfig c = load_config_file(std::string(TESSERA_SOURCE_DIR) + "/configs/default.json");
  const std::string text = to_json(c);
  size_t pos = 0;
  for (const auto& k : kKeys) {
    const size_t at = text.find("\"" + k.key + "\"", pos);
    ASSERT_NE(at, std::string::npos) << k.key << " missing or out of order in\n" << text;
    pos = at;
  }
}

}  // namespace
}  // namespace tessera
