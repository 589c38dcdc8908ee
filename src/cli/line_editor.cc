#include "cli/line_editor.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace clickstream::cli {

LineEditor::LineEditor(const char* program, std::string history_path, int interrupt_fd)
    : history_path_(std::move(history_path)), interrupt_fd_(interrupt_fd) {
  history_ = history_init();
  history(history_, &event_, H_SETSIZE, 1000);
  history(history_, &event_, H_SETUNIQUE, 1);
  if (!history_path_.empty()) history(history_, &event_, H_LOAD, history_path_.c_str());
  editor_ = el_init(program, stdin, stdout, stderr);
  el_set(editor_, EL_CLIENTDATA, this);
  el_set(editor_, EL_EDITOR, "emacs");
  el_set(editor_, EL_HIST, history, history_);
  el_set(editor_, EL_PROMPT, &LineEditor::Prompt);
  el_set(editor_, EL_GETCFN, &LineEditor::GetChar);
  el_set(editor_, EL_SIGNAL, 1);  // keeps the terminal sane on window resize and suspend
  el_source(editor_, nullptr);    // the user's ~/.editrc, as every libedit program reads it
}

LineEditor::~LineEditor() {
  el_end(editor_);
  history_end(history_);
}

const char* LineEditor::Prompt(EditLine* editor) {
  LineEditor* self = nullptr;
  el_get(editor, EL_CLIENTDATA, &self);
  return self->prompt_.c_str();
}

int LineEditor::GetChar(EditLine* editor, wchar_t* out) {
  LineEditor* self = nullptr;
  el_get(editor, EL_CLIENTDATA, &self);
  for (;;) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {self->interrupt_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if ((fds[1].revents & POLLIN) != 0) {
      self->interrupted_ = true;
      errno = EINTR;
      return -1;
    }
    char byte = 0;
    const ssize_t n = read(STDIN_FILENO, &byte, 1);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    const size_t used = std::mbrtowc(out, &byte, 1, &self->decode_state_);
    if (used == static_cast<size_t>(-2)) continue;  // more bytes of this character follow
    if (used == static_cast<size_t>(-1)) {          // not in the locale's encoding
      self->decode_state_ = {};
      *out = L'?';
    }
    return 1;
  }
}

LineEditor::Read LineEditor::ReadLine(const std::string& prompt, std::string& line) {
  prompt_ = prompt;
  interrupted_ = false;
  int count = 0;
  const char* text = el_gets(editor_, &count);
  if (interrupted_) {
    el_reset(editor_);
    std::fputs("^C\n", stdout);
    std::fflush(stdout);
    return Read::kInterrupted;
  }
  if (text == nullptr || count <= 0) return Read::kEnd;
  line.assign(text, static_cast<size_t>(count));
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return Read::kLine;
}

void LineEditor::Remember(const std::string& entry) {
  history(history_, &event_, H_ENTER, entry.c_str());
  if (!history_path_.empty()) history(history_, &event_, H_SAVE, history_path_.c_str());
}

}  // namespace clickstream::cli
