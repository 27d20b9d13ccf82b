// Reports of a regression run: the table of what moved (terminal), JUnit XML (Jenkins, GitLab, GitHub
// Actions) and a Markdown summary for a pull-request comment.
#pragma once

#include <string>
#include <vector>

#include "regress/golden.h"

namespace tessera::regress {

struct Outcome {
  std::string suite;
  std::vector<Verdict> verdicts;
  std::vector<FigureCheck> figures;
  bool update = false;  // --update: goldens were rewritten, "moved" is what the rewrite changed
  double seconds = 0;
  int failures() const;
};

std::string moved_table(const Outcome& o);
std::string junit_xml(const Outcome& o);
std::string markdown(const Outcome& o);

}  // namespace tessera::regress
