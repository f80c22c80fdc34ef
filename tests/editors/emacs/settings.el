;;; settings.el --- customizations and project settings reach the server  -*- lexical-binding: t; -*-

;; The customizations go out as initializationOptions; the answer to workspace/configuration
;; merges them with the project's `eglot-workspace-configuration' (.dir-locals.el), which wins.
;; A customization changed later reaches the running server.

(load (expand-file-name "harness" (file-name-directory load-file-name)) nil t)

(setq codex-lsp-fallback-models '("fallback-model")
      codex-lsp-features-diagnostics-on-change :json-false)

(defun codex-test-configuration-replies (server)
  "How many times Eglot answered SERVER's requests (here: workspace/configuration)."
  (with-current-buffer (jsonrpc-events-buffer server)
    (count-matches "^\\[client-reply\\]" (point-min) (point-max))))

(codex-test-run
 (codex-test-start)
 (let ((server (eglot-current-server)))
   (codex-test-observe "initializationOptions"
                       (codex-test-json (eglot-initialization-options server)))
   (codex-test-observe "configuration"
                       (codex-test-json
                        (eglot-handle-request server 'workspace/configuration
                                              :items [(:section "codexLsp") (:section "other")])))
   ;; The server asks for its configuration once initialized; wait for Eglot's answer.
   (codex-test-wait "the server to read its configuration"
                    (lambda () (= (codex-test-configuration-replies server) 1)))
   (codex-test-observe "candidates" (codex-test-candidates))
   ;; As M-x customize-variable would set it, while the server runs.
   (customize-set-variable 'codex-lsp-features-completion :json-false)
   (codex-test-wait "the server to read its configuration again"
                    (lambda () (= (codex-test-configuration-replies server) 2)))
   (codex-test-observe "candidates after turning completion off" (codex-test-candidates))))
