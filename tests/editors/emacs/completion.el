;;; completion.el --- completion-at-point offers the AI suggestion  -*- lexical-binding: t; -*-
(load (expand-file-name "harness" (file-name-directory load-file-name)) nil t)

(codex-test-run
 (codex-test-start)
 (goto-char (point-min))
 (forward-line 5)
 (end-of-line)
 (let* ((capf (eglot-completion-at-point))
        (candidates (all-completions "" (nth 2 capf))))
   (codex-test-observe "candidates" candidates))
 (completion-at-point)
 (codex-test-observe "text" (codex-test-text)))
