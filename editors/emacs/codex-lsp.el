;;; codex-lsp.el --- Eglot setup for codex-lsp  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; Keywords: languages, tools, convenience
;; SPDX-License-Identifier: MIT

;;; Commentary:

;; codex-lsp is a language server that gives AI completions, review
;; diagnostics and code actions from a code model.  This file
;; registers it with Eglot for the major modes in
;; `codex-lsp-major-modes' and sends the `codex-lsp' customizations as
;; the server's `codexLsp' settings, both as initializationOptions and
;; as the answer to workspace/configuration.  Customizations left at
;; nil are not sent, so the server's own defaults apply.  Values under
;; `:codexLsp' in `eglot-workspace-configuration' (per project) take
;; precedence over the customizations.
;;
;; Two customizations choose where your code (and key) go or what the
;; server loads: `codex-lsp-base-url' and `codex-lsp-local-model-path'.
;; The server gets their global values in its environment
;; (OPENAI_BASE_URL, CODEX_LSP_LOCAL_MODEL_PATH), which it trusts;
;; they are risky local variables, so a project cannot set them.  A
;; project's `.dir-locals.el' can set `eglot-workspace-configuration'
;; without asking, so a baseUrl or localModelPath from there is only
;; passed on: the server asks you before it uses one.
;;
;; The server reads OPENAI_API_KEY from its environment: set it in the
;; environment Emacs starts from, or with `setenv', never in a
;; customization.
;;
;; Usage, once the `codex-lsp' program is on PATH:
;;
;;   (require 'codex-lsp)
;;   (add-hook 'python-mode-hook #'eglot-ensure)

;;; Code:

(require 'cl-lib)
(require 'eglot)

(defgroup codex-lsp nil
  "AI completions, diagnostics and code actions from codex-lsp."
  :group 'eglot
  :prefix "codex-lsp-")

(defconst codex-lsp--environment
  '((codex-lsp-base-url . "OPENAI_BASE_URL")
    (codex-lsp-local-model-path . "CODEX_LSP_LOCAL_MODEL_PATH"))
  "Customizations the server gets in its environment, and their variables.
They choose where code and the API key go, or what the server loads.
The server trusts its environment; the same setting sent over LSP,
where a project could have put it, it uses only once you allow it.")

(defun codex-lsp--set (symbol value)
  "Set SYMBOL to VALUE, then update running servers to match."
  (set-default symbol value)
  (when (featurep 'codex-lsp)
    (cond ((eq symbol 'codex-lsp-major-modes) (codex-lsp-register))
          ((assq symbol codex-lsp--environment) (codex-lsp--reconnect))
          (t (codex-lsp-update-settings)))))

(defcustom codex-lsp-command '("codex-lsp")
  "The command that serves codex-lsp on stdio: program and arguments."
  :type '(repeat string)
  :risky t)

(defcustom codex-lsp-major-modes
  '(python-mode python-ts-mode js-mode js-ts-mode typescript-mode
    typescript-ts-mode go-mode go-ts-mode rust-mode rust-ts-mode
    c-mode c++-mode c-ts-mode c++-ts-mode java-mode java-ts-mode
    ruby-mode ruby-ts-mode sh-mode bash-ts-mode lua-mode)
  "Major modes whose buffers Eglot connects to codex-lsp.
Eglot 1.9 runs one server per buffer, so for these modes codex-lsp
replaces any other server Eglot would start."
  :type '(repeat symbol)
  :set #'codex-lsp--set
  :initialize #'custom-initialize-default)

;; The server's settings (section `codexLsp').  nil means "not sent":
;; the server's own default applies (see its README's settings table).
;; Booleans are t or :json-false.

(defcustom codex-lsp-backend nil
  "Which backend answers: auto, openai, openai-compatible or local.
auto: OpenAI when an API key is set, else the local model.
openai-compatible: any Chat Completions server at baseUrl.
nil uses the server's default."
  :type '(choice (const :tag "Server default" nil)
                 (const "auto") (const "openai")
                 (const "openai-compatible") (const "local"))
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-model nil
  "Model to ask first.  nil uses the server's default."
  :type '(choice (const :tag "Server default" nil) string)
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-fallback-models nil
  "Models tried in order when the backend says the model does not exist.
nil uses the server's default."
  :type '(repeat string)
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-base-url nil
  "API base URL; defaults to OPENAI_BASE_URL, then OpenAI's.
nil uses the server's default.  The server gets the global value as
OPENAI_BASE_URL in its environment, and sends the API key there;
a project cannot set it."
  :type '(choice (const :tag "Server default" nil) string)
  :risky t
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-reasoning-effort nil
  "Reasoning effort for reasoning models.  nil uses the server's default."
  :type '(choice (const :tag "Server default" nil)
                 (const "none") (const "minimal") (const "low")
                 (const "medium") (const "high"))
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defconst codex-lsp--boolean
  '(choice (const :tag "Server default" nil)
           (const :tag "On" t)
           (const :tag "Off" :json-false))
  "Customization type of an on/off setting that may be left unset.")

(defcustom codex-lsp-features-inline-completion nil
  "Offer ghost-text inline completions.  nil uses the server's default.
Eglot 1.9 does not ask for inline completions: this is for other clients."
  :type codex-lsp--boolean
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-features-completion nil
  "Offer AI items in the completion menu.  nil uses the server's default."
  :type codex-lsp--boolean
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-features-diagnostics nil
  "Run the AI review and publish diagnostics.
nil uses the server's default."
  :type codex-lsp--boolean
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-features-diagnostics-on-change nil
  "Also review at pauses in typing (debounced), not only on open and save.
A model call per pause.  nil uses the server's default."
  :type codex-lsp--boolean
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-features-code-actions nil
  "Offer AI quick fixes and refactors.  nil uses the server's default."
  :type codex-lsp--boolean
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-debounce-ms nil
  "Longest wait after typing before a completion asks the model.
The wait is learned from your typing rhythm, and none when the editor
asks at pauses.  nil uses the server's default."
  :type '(choice (const :tag "Server default" nil) natnum)
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-diagnostics-debounce-ms nil
  "Pause after an edit before the AI review reruns.
nil uses the server's default."
  :type '(choice (const :tag "Server default" nil) natnum)
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-max-context-tokens nil
  "Prompt budget; far context is trimmed first.
nil uses the server's default."
  :type '(choice (const :tag "Server default" nil) natnum)
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-edit-context-tokens nil
  "Prompt budget for completions, half of it for rewrites.
At most `codex-lsp-max-context-tokens': the code around the cursor or
region, far lines trimmed first.  nil uses the server's default."
  :type '(choice (const :tag "Server default" nil) natnum)
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-max-output-tokens nil
  "Upper bound on tokens a single answer may use.
nil uses the server's default."
  :type '(choice (const :tag "Server default" nil) natnum)
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-request-timeout-s nil
  "Seconds before a silent model stream is abandoned.
nil uses the server's default."
  :type '(choice (const :tag "Server default" nil) number)
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-exclude nil
  "Globs of files never sent to a model, added to the built-in list.
The built-in list (.env*, *.pem, *.key, SSH keys, .npmrc, .netrc and more)
always applies; matched case-insensitively.  nil uses the server's default."
  :type '(repeat string)
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-exclude-git-ignored nil
  "Also never send files that git ignores (git check-ignore).
nil uses the server's default."
  :type codex-lsp--boolean
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-budget-usd-per-day nil
  "Stop automatic model calls once this much was spent today.
nil uses the server's default."
  :type '(choice (const :tag "Server default" nil) number)
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-prices nil
  "Per-model price overrides, USD per 1M tokens.
An alist of (MODEL . PRICES), PRICES a plist of :input,
:cachedInput, :cacheWrite and :output.  nil uses the server's
default."
  :type '(alist :key-type (string :tag "Model")
                :value-type (plist :key-type (choice (const :input)
                                                     (const :cachedInput)
                                                     (const :cacheWrite)
                                                     (const :output))
                                   :value-type number))
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-prompt-layout nil
  "How prompts are laid out: cache-aware or naive.
cache-aware: stable prefix, anchors and reuse caches.  naive: the
whole file in every prompt and no reuse (for benchmarks).  nil uses
the server's default."
  :type '(choice (const :tag "Server default" nil)
                 (const "cache-aware") (const "naive"))
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-local-model nil
  "Embedded model for the local backend.  nil uses the server's default."
  :type '(choice (const :tag "Server default" nil)
                 (const "qwen2.5-coder-0.5b") (const "qwen2.5-coder-1.5b"))
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-local-review-model nil
  "Embedded model for reviews and fixes on the local backend.
auto: the 1.5b when installed, else `codex-lsp-local-model'.
nil uses the server's default."
  :type '(choice (const :tag "Server default" nil) (const "auto")
                 (const "qwen2.5-coder-0.5b") (const "qwen2.5-coder-1.5b"))
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defcustom codex-lsp-local-model-path nil
  "A GGUF file to use instead of the embedded models.
nil uses the server's default.  The server gets the global value
as CODEX_LSP_LOCAL_MODEL_PATH in its environment (a relative name
is relative to your home directory); a project cannot set it."
  :type '(choice (const :tag "Server default" nil) file)
  :risky t
  :set #'codex-lsp--set :initialize #'custom-initialize-default)

(defconst codex-lsp--settings
  '((codex-lsp-backend . "backend")
    (codex-lsp-model . "model")
    (codex-lsp-fallback-models . "fallbackModels")
    (codex-lsp-base-url . "baseUrl")
    (codex-lsp-reasoning-effort . "reasoningEffort")
    (codex-lsp-features-inline-completion . "features.inlineCompletion")
    (codex-lsp-features-completion . "features.completion")
    (codex-lsp-features-diagnostics . "features.diagnostics")
    (codex-lsp-features-diagnostics-on-change . "features.diagnosticsOnChange")
    (codex-lsp-features-code-actions . "features.codeActions")
    (codex-lsp-debounce-ms . "debounceMs")
    (codex-lsp-diagnostics-debounce-ms . "diagnosticsDebounceMs")
    (codex-lsp-max-context-tokens . "maxContextTokens")
    (codex-lsp-edit-context-tokens . "editContextTokens")
    (codex-lsp-max-output-tokens . "maxOutputTokens")
    (codex-lsp-request-timeout-s . "requestTimeoutS")
    (codex-lsp-exclude . "exclude")
    (codex-lsp-exclude-git-ignored . "excludeGitIgnored")
    (codex-lsp-budget-usd-per-day . "budgetUsdPerDay")
    (codex-lsp-prices . "prices")
    (codex-lsp-prompt-layout . "promptLayout")
    (codex-lsp-local-model . "localModel")
    (codex-lsp-local-review-model . "localReviewModel")
    (codex-lsp-local-model-path . "localModelPath"))
  "Each customization and the dotted key of the server setting it sets.")

(defun codex-lsp--json (value)
  "VALUE in Eglot's JSON terms: a list becomes an array, an alist an object."
  (cond ((and (consp value) (consp (car value)))
         (cl-loop for (key . inner) in value
                  nconc (list (intern (concat ":" key)) inner)))
        ((consp value) (vconcat value))
        (t value)))

(defun codex-lsp--put (plist path value)
  "Set the key PATH, a list of names, in the nested PLIST to VALUE."
  (let ((key (intern (concat ":" (car path)))))
    (plist-put plist key (if (cdr path)
                             (codex-lsp--put (plist-get plist key)
                                             (cdr path) value)
                           value))))

(defun codex-lsp--merge (base over)
  "Plist BASE with the values of plist OVER on top, merged key by key."
  (if (not (and (consp over) (keywordp (car over))))
      (or over base)
    (cl-loop for (key value) on over by #'cddr
             do (setq base
                      (plist-put base key
                                 (if (and (consp value) (keywordp (car value)))
                                     (codex-lsp--merge (plist-get base key)
                                                       value)
                                   value))))
    base))

(defun codex-lsp-settings ()
  "The `codexLsp' settings made by the customizations, as a plist.
Those in `codex-lsp--environment' travel in the environment instead."
  (let (settings)
    (pcase-dolist (`(,variable . ,key) codex-lsp--settings)
      (let ((value (symbol-value variable)))
        (when (and value (not (assq variable codex-lsp--environment)))
          (setq settings (codex-lsp--put settings (split-string key "\\.")
                                         (codex-lsp--json value))))))
    settings))

(defun codex-lsp-process-environment ()
  "`process-environment' for the server, with the global values of
the customizations in `codex-lsp--environment' first."
  (let ((environment process-environment))
    (pcase-dolist (`(,variable . ,name) codex-lsp--environment)
      (let ((value (default-value variable)))
        (when value
          (when (eq variable 'codex-lsp-local-model-path)
            (setq value (expand-file-name value "~/")))
          (push (concat name "=" value) environment))))
    environment))

(defclass codex-lsp-server (eglot-lsp-server) ()
  :documentation "An Eglot connection to codex-lsp.")

(defvar codex-lsp--servers nil
  "Connections to codex-lsp made in this session, newest first.")

(cl-defmethod initialize-instance :around ((_server codex-lsp-server) &rest _)
  "Start the server process with `codex-lsp-process-environment'.
The connection starts its process while it is initialized."
  (let ((process-environment (codex-lsp-process-environment)))
    (cl-call-next-method)))

(cl-defmethod initialize-instance :after ((server codex-lsp-server) &rest _)
  "Remember SERVER so that changed customizations reach it."
  (push server codex-lsp--servers))

(cl-defmethod eglot-initialization-options ((_server codex-lsp-server))
  "The customizations, in force from the server's first request on."
  (list :codexLsp (or (codex-lsp-settings) (make-hash-table))))

(cl-defmethod eglot-handle-request
  ((_server codex-lsp-server) (_method (eql workspace/configuration))
   &key items)
  "Answer the `codexLsp' section among ITEMS from the customizations.
Values under `:codexLsp' in `eglot-workspace-configuration' win; the
server asks before it uses a baseUrl or localModelPath from there."
  (let ((answers (cl-call-next-method)))
    (cl-map 'vector
            (lambda (item answer)
              (if (equal (plist-get item :section) "codexLsp")
                  (or (codex-lsp--merge (codex-lsp-settings) answer)
                      (make-hash-table))
                answer))
            items answers)))

(defun codex-lsp--contact (&optional _interactive)
  "Tell Eglot how to start codex-lsp: its class and `codex-lsp-command'."
  (cons 'codex-lsp-server codex-lsp-command))

;;;###autoload
(defun codex-lsp-register ()
  "Make Eglot start codex-lsp for the modes in `codex-lsp-major-modes'."
  (interactive)
  (require 'eglot)
  (setq eglot-server-programs
        (cons (cons codex-lsp-major-modes #'codex-lsp--contact)
              (cl-remove #'codex-lsp--contact eglot-server-programs
                         :key #'cdr))))

(defun codex-lsp--reconnect ()
  "Restart every running codex-lsp server: its environment changed."
  (setq codex-lsp--servers
        (cl-remove-if-not #'jsonrpc-running-p codex-lsp--servers))
  (mapc #'eglot-reconnect codex-lsp--servers))

(defun codex-lsp-update-settings ()
  "Send the current customizations to every running codex-lsp server."
  (interactive)
  (setq codex-lsp--servers
        (cl-remove-if-not #'jsonrpc-running-p codex-lsp--servers))
  (dolist (server codex-lsp--servers)
    ;; Without a codexLsp section here, the server asks
    ;; workspace/configuration, which answers with the customizations.
    (jsonrpc-notify server :workspace/didChangeConfiguration
                    (list :settings (make-hash-table)))))

;;;###autoload
(with-eval-after-load 'eglot (codex-lsp-register))

(provide 'codex-lsp)
;;; codex-lsp.el ends here
