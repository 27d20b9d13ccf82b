// Constraint expressions of a sweep spec: a small recursive-descent parser and evaluator over the
// swept config fields (integers and numbers), with C's operators and precedence.
#include <cctype>
#include <cmath>

#include "sweep/spec.h"

namespace tessera::sweep {

class Expr {
 public:
  enum Kind { NUM, VAR, NOT, NEG, BIN } kind = NUM;
  double num = 0;
  std::string name, op;
  std::shared_ptr<const Expr> a, b;
};

namespace {

class Parser {
 public:
  Parser(const std::string& t, const std::string& where) : t_(t), where_(where) {}
  std::shared_ptr<const Expr> parse() {
    auto e = binary(0);
    skip();
    if (i_ != t_.size()) fail("unexpected '" + t_.substr(i_, 1) + "'");
    return e;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw SpecError(where_ + ": column " + std::to_string(i_ + 1) + ": " + why + " in \"" + t_ + "\"");
  }
  void skip() {
    while (i_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[i_]))) ++i_;
  }
  // Binary operators by precedence level, lowest first.
  static int level(const std::string& op) {
    if (op == "||") return 0;
    if (op == "&&") return 1;
    if (op == "==" || op == "!=") return 2;
    if (op == "<" || op == "<=" || op == ">" || op == ">=") return 3;
    if (op == "+" || op == "-") return 4;
    return 5;  // * / %
  }
  std::string peek_op() {
    skip();
    for (const char* op : {"||", "&&", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%"})
      if (t_.compare(i_, std::char_traits<char>::length(op), op) == 0) return op;
    return "";
  }
  std::shared_ptr<const Expr> binary(int min_level) {
    auto lhs = unary();
    for (;;) {
      const std::string op = peek_op();
      if (op.empty() || level(op) < min_level) return lhs;
      i_ += op.size();
      auto rhs = binary(level(op) + 1);
      auto e = std::make_shared<Expr>();
      e->kind = Expr::BIN, e->op = op, e->a = lhs, e->b = rhs;
      lhs = e;
    }
  }
  std::shared_ptr<const Expr> unary() {
    skip();
    if (i_ >= t_.size()) fail("expression ends early");
    const char c = t_[i_];
    if (c == '!' || c == '-') {
      ++i_;
      auto e = std::make_shared<Expr>();
      e->kind = c == '!' ? Expr::NOT : Expr::NEG, e->a = unary();
      return e;
    }
    if (c == '(') {
      ++i_;
      auto e = binary(0);
      skip();
      if (i_ >= t_.size() || t_[i_] != ')') fail("expected ')'");
      ++i_;
      return e;
    }
    auto e = std::make_shared<Expr>();
    if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t used = 0;
      e->num = std::stod(t_.substr(i_), &used);
      i_ += used;
      return e;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const size_t start = i_;
      while (i_ < t_.size() && (std::isalnum(static_cast<unsigned char>(t_[i_])) || t_[i_] == '_' || t_[i_] == '.')) ++i_;
      e->kind = Expr::VAR, e->name = t_.substr(start, i_ - start);
      bool known = false;
      for (const auto& f : config_fields()) known |= f.first == e->name;
      if (!known) {
        i_ = start;
        fail("unknown config field '" + e->name + "'");
      }
      return e;
    }
    fail("unexpected '" + std::string(1, c) + "'");
  }
  const std::string& t_;
  std::string where_;
  size_t i_ = 0;
};

}  // namespace

std::shared_ptr<const Expr> parse_expr(const std::string& text, const std::string& where) {
  return Parser(text, where).parse();
}

double eval_constraint(const Expr& e, const std::vector<std::pair<std::string, double>>& vars) {
  switch (e.kind) {
    case Expr::NUM: return e.num;
    case Expr::VAR:
      for (const auto& v : vars)
        if (v.first == e.name) return v.second;
      throw SpecError("constraint: no value for '" + e.name + "'");
    case Expr::NOT: return eval_constraint(*e.a, vars) == 0 ? 1 : 0;
    case Expr::NEG: return -eval_constraint(*e.a, vars);
    case Expr::BIN: break;
  }
  const double a = eval_constraint(*e.a, vars);
  if (e.op == "&&" && a == 0) return 0;
  if (e.op == "||" && a != 0) return 1;
  const double b = eval_constraint(*e.b, vars);
  if (e.op == "&&" || e.op == "||") return b != 0 ? 1 : 0;
  if (e.op == "==") return a == b;
  if (e.op == "!=") return a != b;
  if (e.op == "<") return a < b;
  if (e.op == "<=") return a <= b;
  if (e.op == ">") return a > b;
  if (e.op == ">=") return a >= b;
  if (e.op == "+") return a + b;
  if (e.op == "-") return a - b;
  if (e.op == "*") return a * b;
  if (b == 0) throw SpecError("constraint: division by zero");
  if (e.op == "/") return a / b;
  return std::fmod(a, b);
}

}  // namespace tessera::sweep
