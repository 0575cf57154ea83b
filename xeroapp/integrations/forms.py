"""Forms of Settings > Integrations."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import DataRequired


class ChooseOrganisationForm(FlaskForm):
    tenant = RadioField("Organisation", validators=[DataRequired("Choose an organisation.")])
