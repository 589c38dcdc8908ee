#pragma once

// Terminal input for the interactive shells: line editing and history by libedit (Debian's
// libedit-dev), with Ctrl-C delivered as an event instead of a signal.

#include <histedit.h>

#include <cwchar>
#include <memory>
#include <string>

namespace clickstream::cli {

// One libedit session on stdin/stdout. Lines read are editable (emacs keys, arrows); entries
// given to Remember go to the history, which is loaded from and saved to `history_path` (when
// not empty). ReadLine returns kInterrupted as soon as `interrupt_fd` becomes readable (the
// caller writes to it on Ctrl-C); what was typed on that line is dropped.
class LineEditor {
 public:
  LineEditor(const char* program, std::string history_path, int interrupt_fd);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  enum class Read { kLine, kInterrupted, kEnd };
  // Shows `prompt` and reads one line (without its newline) into `line`.
  Read ReadLine(const std::string& prompt, std::string& line);
  // Adds `entry` to the history (and to the history file).
  void Remember(const std::string& entry);

 private:
  static int GetChar(EditLine* editor, wchar_t* out);
  static const char* Prompt(EditLine* editor);

  EditLine* editor_ = nullptr;
  History* history_ = nullptr;
  HistEvent event_{};
  std::string history_path_;
  std::string prompt_;
  int interrupt_fd_;
  bool interrupted_ = false;
  std::mbstate_t decode_state_{};
};

}  // namespace clickstream::cli
