;;; diagnostics.el --- AI review findings arrive in flymake (push)  -*- lexical-binding: t; -*-
(load (expand-file-name "harness" (file-name-directory load-file-name)) nil t)

(defun codex-test-diagnostic (diag)
  "DIAG as JSON-friendly data: 0-based lines and columns, type and text."
  (cl-flet ((where (pos) (save-excursion (goto-char pos)
                                         (list (1- (line-number-at-pos)) (current-column)))))
    `(("start" . ,(where (flymake-diagnostic-beg diag)))
      ("end" . ,(where (flymake-diagnostic-end diag)))
      ("type" . ,(symbol-name (flymake-diagnostic-type diag)))
      ("text" . ,(flymake-diagnostic-text diag)))))

(codex-test-run
 (codex-test-start)
 (codex-test-observe "flymake" (and flymake-mode t))
 (let ((diagnostics (codex-test-wait "flymake diagnostics" #'flymake-diagnostics)))
   (codex-test-observe "diagnostics" (mapcar #'codex-test-diagnostic diagnostics))))
