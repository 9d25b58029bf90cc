"""The county office's server: accounts and roles (:mod:`.users`), login through Jupyter
Server's identity provider (:mod:`.identity`), what each role may reach (:mod:`.authorizer`),
kernels that know who opened them (:mod:`.kernels`), the Voila application tying these together
(:mod:`.voila_app`), a school's view of the workspace (:mod:`.scope`), the workspace lock
(:mod:`.lock`) and TLS (:mod:`.tls`)."""
