# What every resource group's Makefile includes. `sam build` runs `make build-<LogicalId>` in the group's folder
# (Metadata: BuildMethod makefile, ContextPath) with ARTIFACTS_DIR set, and so does the local cloud
# (infra/Local/Lambda/FunctionBuilds.cs). The group's functions share one package, so every target publishes the same:
# the group's project as a Native AOT `bootstrap` for provided.al2023 (functions/Directory.Build.props).
GROUP_DIR := $(dir $(firstword $(MAKEFILE_LIST)))
FUNCTIONS_DIR := $(dir $(lastword $(MAKEFILE_LIST)))

# The template's Architecture parameter. `sam build` tells a makefile build no architecture, so an arm64 (Graviton) stack
# is built with ARCHITECTURE=arm64 in the environment (README: Deploy); the local cloud runs the host's x86_64.
ARCHITECTURE ?= x86_64
ifeq ($(ARCHITECTURE),x86_64)
RID_OPTIONS := -r linux-x64
else ifeq ($(ARCHITECTURE),arm64)
# Cross-linked by clang with Debian's aarch64 binutils and arm64 libraries, which the script installs where missing.
INSTALL_TOOLCHAIN := $(FUNCTIONS_DIR)install-arm64-toolchain
RID_OPTIONS := -r linux-arm64 -p:CppCompilerAndLinker=clang -p:ObjCopyName=aarch64-linux-gnu-objcopy
else
$(error ARCHITECTURE is x86_64 or arm64, not '$(ARCHITECTURE)')
endif

build-%:
	$(INSTALL_TOOLCHAIN)
	dotnet publish $(GROUP_DIR) -c Release $(RID_OPTIONS) --self-contained true -o $(ARTIFACTS_DIR)
