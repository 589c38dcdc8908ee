#include "analysis/sql_shell.h"

#include <gtest/gtest.h>

#include <sstream>

namespace clickstream::analysis {
namespace {

TEST(StatementTerminatorTest, OnlyASemicolonOutsideLiteralsAndCommentsEndsAStatement) {
  EXPECT_TRUE(EndsWithStatementTerminator("SELECT 1;"));
  EXPECT_TRUE(EndsWithStatementTerminator("SELECT 1;  \n"));
  EXPECT_TRUE(EndsWithStatementTerminator("SELECT 1; -- done\n"));
  EXPECT_TRUE(EndsWithStatementTerminator("SELECT 'a;b', \"c;\" /* ; */;"));
  EXPECT_TRUE(EndsWithStatementTerminator("SELECT 'it''s';"));
  EXPECT_FALSE(EndsWithStatementTerminator("SELECT 1"));
  EXPECT_FALSE(EndsWithStatementTerminator("SELECT ';"));
  EXPECT_FALSE(EndsWithStatementTerminator("SELECT 1 -- ;"));
  EXPECT_FALSE(EndsWithStatementTerminator("SELECT 1 /* ; */"));
  EXPECT_FALSE(EndsWithStatementTerminator("SELECT \"x;"));
  EXPECT_FALSE(EndsWithStatementTerminator("SELECT 1; SELECT 2"));
}

class SqlShellTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto session = DuckDbSession::Open(DefaultDuckDbOptions());
    ASSERT_TRUE(session.has_value()) << session.error().message;
    session_.emplace(std::move(*session));
    ASSERT_TRUE(session_
                    ->Execute("ATTACH ':memory:' AS catalog; USE catalog; "
                              "CREATE SCHEMA website; CREATE VIEW website.clicks AS "
                              "SELECT * FROM (VALUES ('u1', '/home'), ('u2', '/cart')) "
                              "AS t(user_id, page)")
                    .has_value());
    shell_.emplace(*session_, out_, err_);
  }

  std::optional<DuckDbSession> session_;
  std::ostringstream out_, err_;
  std::optional<SqlShell> shell_;
};

TEST_F(SqlShellTest, AStatementOverSeveralLinesRunsOnceItsSemicolonArrives) {
  EXPECT_EQ(shell_->Feed("SELECT count(*) AS n"), SqlShell::Step::kNeedMore);
  EXPECT_TRUE(shell_->HasPending());
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(shell_->Feed("FROM catalog.website.clicks;"), SqlShell::Step::kDone);
  EXPECT_FALSE(shell_->HasPending());
  EXPECT_NE(out_.str().find("2"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("(1 row)"), std::string::npos) << out_.str();
}

TEST_F(SqlShellTest, AnErrorIsOneLineAndTheShellGoesOn) {
  EXPECT_EQ(shell_->Feed("SELECT * FROM website.nope;"), SqlShell::Step::kDone);
  EXPECT_TRUE(err_.str().starts_with("Error: ")) << err_.str();
  EXPECT_EQ(err_.str().find('\n'), err_.str().size() - 1);
  EXPECT_EQ(shell_->Feed("SELECT 41 + 1 AS answer;"), SqlShell::Step::kDone);
  EXPECT_NE(out_.str().find("42"), std::string::npos);
}

TEST_F(SqlShellTest, FormatCommandSwitchesBetweenTableCsvAndJson) {
  shell_->Feed(".format json");
  shell_->Feed("SELECT page FROM website.clicks ORDER BY page;");
  EXPECT_EQ(out_.str(), "[\n  {\"page\": \"/cart\"},\n  {\"page\": \"/home\"}\n]\n");
  out_.str("");
  shell_->Feed(".format csv");
  shell_->Feed("SELECT page FROM website.clicks ORDER BY page;");
  EXPECT_EQ(out_.str(), "page\r\n/cart\r\n/home\r\n");
  shell_->Feed(".format yaml");
  EXPECT_NE(err_.str().find("table, csv or json"), std::string::npos);
  EXPECT_EQ(shell_->format(), OutputFormat::kCsv);
}

TEST_F(SqlShellTest, TablesAndSchemaDescribeTheCatalog) {
  shell_->Feed(".tables");
  EXPECT_EQ(out_.str(), "website.clicks\n");
  out_.str("");
  shell_->Feed(".schema website.clicks");
  EXPECT_EQ(out_.str(), "website.clicks (user_id VARCHAR, page VARCHAR)\n");
  shell_->Feed(".schema website.missing");
  EXPECT_TRUE(err_.str().starts_with("Error: ")) << err_.str();
}

TEST_F(SqlShellTest, QuitUnknownCommandsAndLeftoverInput) {
  EXPECT_EQ(shell_->Feed(".bogus"), SqlShell::Step::kDone);
  EXPECT_NE(err_.str().find(".help"), std::string::npos);
  shell_->Feed(".help");
  EXPECT_NE(out_.str().find(".schema"), std::string::npos);
  EXPECT_EQ(shell_->Feed("  .quit"), SqlShell::Step::kQuit);
  EXPECT_EQ(shell_->Feed(".exit"), SqlShell::Step::kQuit);
  out_.str("");
  shell_->Feed("SELECT 7 AS seven");
  shell_->DiscardPending();
  shell_->Finish();
  EXPECT_EQ(out_.str(), "");
  shell_->Feed("SELECT 7 AS seven");
  shell_->Finish();
  EXPECT_NE(out_.str().find("7"), std::string::npos);
}

}  // namespace
}  // namespace clickstream::analysis
