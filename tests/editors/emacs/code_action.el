;;; code_action.el --- apply the AI quick fix through the command fallback  -*- lexical-binding: t; -*-

;; M-x eglot-code-actions on the diagnostic, and the user takes the offered fix.  Eglot 1.9
;; cannot resolve actions, so the action must carry a command; executing it makes the server
;; send workspace/applyEdit, which Eglot applies after asking the user.  With
;; $CODEX_ACTION_KIND set, the user asks for that kind only (C-u M-x eglot-code-actions).

(load (expand-file-name "harness" (file-name-directory load-file-name)) nil t)

(defvar codex-test--menus nil "Each menu shown to the user, newest first.")

;; The user's answers in the minibuffer: the asked-for kind, else the default action.
(advice-add 'completing-read :override
            (lambda (prompt collection &optional _pred _require _initial _hist default &rest _)
              (push `(("prompt" . ,prompt)
                      ("choices" . ,(mapcar (lambda (c) (if (consp c) (car c) c)) collection)))
                    codex-test--menus)
              (if (string-match-p "Action kind" prompt)
                  (getenv "CODEX_ACTION_KIND")
                default)))

(codex-test-run
 (codex-test-start)
 (let* ((diag (car (codex-test-wait "flymake diagnostics" #'flymake-diagnostics)))
        (actions (eglot-code-actions (flymake-diagnostic-beg diag)
                                     (flymake-diagnostic-end diag))))
   (codex-test-observe
    "offered" (mapcar (lambda (action)
                        `(("title" . ,(plist-get action :title))
                          ("kind" . ,(plist-get action :kind))
                          ("edit" . ,(and (plist-get action :edit) t))
                          ("command" . ,(plist-get (plist-get action :command) :command))))
                      actions))
   (goto-char (flymake-diagnostic-beg diag)))
 (let ((current-prefix-arg (and (getenv "CODEX_ACTION_KIND") '(4)))
       (last-nonmenu-event ?\r))      ; invoked from the keyboard: M-x ... RET
   (call-interactively #'eglot-code-actions))
 (codex-test-wait "the fix to be applied" #'buffer-modified-p)
 (codex-test-observe "menus" (reverse codex-test--menus))
 (codex-test-observe "confirmations" (length codex-test--confirmations))
 (codex-test-observe "text" (codex-test-text)))
