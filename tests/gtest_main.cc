// The main() of every tessera_test() executable: GoogleTest plus an audit of value-parameterized tests
// (issue #14). A TEST_P whose every instance skips asserts nothing; it is reported:
//  - in a run of the whole executable: "[SKIP-ALL] ..." and exit status 1;
//  - under ctest (one instance per process): with TESSERA_SKIP_LOG_DIR set, each instance writes
//    "<status> <instances>" to a file there, and the ctest test skip_audit (tests/skip_audit.cmake)
//    fails naming every test whose instances all ran and all skipped.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

namespace {

// "Configs/FsimCompute" + "Foo/3" -> "FsimCompute.Foo": one test over all its parameters.
std::string group_of(const ::testing::TestInfo& t) {
  const std::string suite = t.test_suite_name(), name = t.name();
  const size_t s = suite.find('/');
  return (s == std::string::npos ? suite : suite.substr(s + 1)) + "." + name.substr(0, name.find('/'));
}

std::string file_safe(std::string s) {
  for (char& c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) c = '_';
  return s;
}

class SkipAudit : public ::testing::EmptyTestEventListener {
 public:
  explicit SkipAudit(std::string exe) : exe_(std::move(exe)) {}
  int failures = 0;

  void OnTestProgramEnd(const ::testing::UnitTest& u) override {
    struct Count {
      int registered = 0, ran = 0, skipped = 0;
    };
    std::map<std::string, Count> groups;
    for (int i = 0; i < u.total_test_suite_count(); ++i) {
      const ::testing::TestSuite* ts = u.GetTestSuite(i);
      for (int j = 0; j < ts->total_test_count(); ++j) {
        const ::testing::TestInfo* t = ts->GetTestInfo(j);
        if (!t->value_param()) continue;
        Count& c = groups[group_of(*t)];
        ++c.registered;
        if (t->should_run()) {
          ++c.ran;
          c.skipped += t->result()->Skipped();
        }
      }
    }
    const char* dir = std::getenv("TESSERA_SKIP_LOG_DIR");
    for (const auto& [g, c] : groups) {
      if (c.registered > 0 && c.ran == c.registered && c.skipped == c.ran) {
        std::cout << "[SKIP-ALL] " << g << " skipped on every one of its " << c.registered
                  << " parameters: it asserts nothing\n";
        ++failures;
      }
    }
    if (!dir || !*dir) return;
    for (int i = 0; i < u.total_test_suite_count(); ++i) {
      const ::testing::TestSuite* ts = u.GetTestSuite(i);
      for (int j = 0; j < ts->total_test_count(); ++j) {
        const ::testing::TestInfo* t = ts->GetTestInfo(j);
        if (!t->value_param() || !t->should_run()) continue;
        const std::string g = group_of(*t);
        std::ofstream f(std::string(dir) + "/" + file_safe(exe_ + "__" + g + "__" + t->test_suite_name() + "." + t->name()));
        f << exe_ << " " << g << " " << (t->result()->Skipped() ? "skipped" : "ran") << " " << groups[g].registered << "\n";
      }
    }
  }

 private:
  std::string exe_;
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  std::string exe = argc > 0 ? argv[0] : "test";
  exe = exe.substr(exe.find_last_of('/') + 1);
  auto* audit = new SkipAudit(exe);
  ::testing::UnitTest::GetInstance()->listeners().Append(audit);  // owned by gtest
  const int rc = RUN_ALL_TESTS();
  return rc != 0 ? rc : (audit->failures ? 1 : 0);
}
