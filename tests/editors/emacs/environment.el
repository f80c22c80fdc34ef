;;; environment.el --- the user's base URL and model path reach the server as its environment  -*- lexical-binding: t; -*-

;; `codex-lsp-base-url' and `codex-lsp-local-model-path' go to the server as OPENAI_BASE_URL
;; and CODEX_LSP_LOCAL_MODEL_PATH (which it trusts), not over LSP; Emacs itself starts with no
;; OPENAI_BASE_URL, so completions reach the fake OpenAI only through the customization.
;; Changing one restarts the server with the new value.

(load (expand-file-name "harness" (file-name-directory load-file-name)) nil t)

(setq codex-lsp-base-url (getenv "CODEX_TEST_USER_BASE_URL")
      codex-lsp-local-model-path "models/user.gguf")

(defun codex-test-server-environment (server)
  "SERVER's OPENAI_BASE_URL and CODEX_LSP_LOCAL_MODEL_PATH, read from /proc."
  (let ((pid (process-id (jsonrpc--process server))))
    (with-temp-buffer
      (insert-file-contents-literally (format "/proc/%d/environ" pid))
      (let ((entries (split-string (buffer-string) "\0" t)))
        (mapcar (lambda (name)
                  (let ((prefix (concat name "=")))
                    (cons name (substring (or (seq-find (lambda (entry) (string-prefix-p prefix entry))
                                                        entries)
                                              prefix)
                                          (length prefix)))))
                '("OPENAI_BASE_URL" "CODEX_LSP_LOCAL_MODEL_PATH"))))))

(codex-test-run
 (codex-test-start)
 (let ((server (eglot-current-server)))
   (codex-test-observe "environment" (codex-test-server-environment server))
   (codex-test-observe "initializationOptions"
                       (codex-test-json (eglot-initialization-options server)))
   (codex-test-observe "candidates" (codex-test-candidates))
   ;; As M-x customize-variable would set it, while the server runs: a new server starts.
   (customize-set-variable 'codex-lsp-base-url (concat codex-lsp-base-url "/"))
   (let ((restarted (codex-test-wait "the server to restart"
                                     (lambda () (let ((now (eglot-current-server)))
                                                  (and now (not (eq now server))
                                                       (jsonrpc-running-p now)
                                                       now))))))
     (codex-test-observe "restarted" (not (jsonrpc-running-p server)))
     (codex-test-observe "environment after the change"
                         (codex-test-server-environment restarted)))))
