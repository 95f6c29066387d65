"""The package layout, which pyproject.toml cannot say without a hand-kept list of packages.

The shipped catalog and policies have one copy, at the top of the repository (`models/`,
`policies/`), where a reader sees them first. The wheel carries them inside the package as
`privacy_guard/_shipped/{models,policies}`, mapped with `package_dir`; privacy_guard/shipped.py
looks there first and at the repository root otherwise (a checkout, an editable install).
Every other setting is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

SHIPPED = {
    "privacy_guard._shipped.models": "models",
    "privacy_guard._shipped.policies": "policies",
    "privacy_guard._shipped.policies.tests": "policies/tests",
}

setup(
    # Found, not listed, so a new subpackage is never left out of the wheel; namespace packages
    # too, so data-only folders (detect/data) are packages rather than deprecated "data dirs".
    packages=[
        *find_namespace_packages(
            include=["privacy_guard", "privacy_guard.*"], exclude=["*__pycache__"]
        ),
        *SHIPPED,
    ],
    package_dir=SHIPPED,
    package_data={
        # Everything in the data folder: word lists, vendored rule sets and their licences.
        "privacy_guard.detect.data": ["*"],
        **{package: ["*.yaml"] for package in SHIPPED},
    },
)
