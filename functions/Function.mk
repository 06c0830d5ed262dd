# What every resource group's Makefile includes. `sam build` runs `make build-<LogicalId>` in the group's folder
# (Metadata: BuildMethod makefile, ContextPath) with ARTIFACTS_DIR set, and so does the local cloud
# (infra/Local/Lambda/FunctionPackages.cs). The group's functions share one package, so every target publishes the same:
# the group's project as a Native AOT `bootstrap` for provided.al2023 (functions/Directory.Build.props).
GROUP_DIR := $(dir $(firstword $(MAKEFILE_LIST)))

build-%:
	dotnet publish $(GROUP_DIR) -c Release -r linux-x64 --self-contained true -o $(ARTIFACTS_DIR)
