"""The peer for bench/first_estimate.py: a minimal Streamlit calculator. NOT part of the product.

What a clinician meets in a typical Streamlit calculator, written as such calculators usually are,
but serving the same verified model through the product's own code (calculator.artifact.load_model,
calculator.predict.estimate) with the same five inputs, so only the web stack differs. Run by the
benchmark from its own venv (bench/.venv-peer) with the project root on PYTHONPATH; configured by
bench/peers/.streamlit/config.toml to stay on loopback and send no usage statistics.
"""

from __future__ import annotations

import streamlit as st

from calculator.artifact import DEFAULT_MODEL_DIR, load_model
from calculator.features import COMPARTMENT, KPS, MCCORMICK, OTHER_METASTASES, RESECTION
from calculator.predict import estimate


@st.cache_resource
def model():
    return load_model(DEFAULT_MODEL_DIR)


def label_of(feature):
    return lambda value: feature.choice(value).label


st.title("Estimated 90-day survival after surgery")
with st.form("calculator"):
    inputs = {"kps": st.selectbox(KPS.label, KPS.values, index=None, help=KPS.help)}
    for feature in (OTHER_METASTASES, MCCORMICK, RESECTION, COMPARTMENT):
        inputs[feature.name] = st.radio(
            feature.label, feature.values, index=None, format_func=label_of(feature), horizontal=True
        )
    submitted = st.form_submit_button("Estimate 90-day survival")

if submitted:
    missing = [name for name, value in inputs.items() if value is None]
    if missing:
        st.error("Please answer: " + ", ".join(missing))
    else:
        est = estimate(model(), inputs)
        low, high = est.interval_95
        st.subheader(f"Estimated 90-day survival: {round(100 * est.survival_90d)}%")
        st.write(f"95% interval {round(100 * low)}-{round(100 * high)}%")
        st.table(
            {
                "Resection": [RESECTION.choice(option).label for option in est.by_resection],
                "90-day survival": [f"{round(100 * p.survival_90d)}%" for p in est.by_resection.values()],
            }
        )
