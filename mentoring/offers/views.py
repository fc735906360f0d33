"""Parents find offers in two taps (district, then age) or by topic and words; coordinators keep them."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from mentoring.clock import today
from mentoring.extensions import db
from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.links import public_url
from mentoring.offers import bp, services
from mentoring.offers.forms import TRANSLATED, ImportForm, OfferForm
from mentoring.offers.models import CHAIN, CHAIN_LABELS, COST_LABELS, KIND_LABELS, Offer
from mentoring.reference import services as reference
from mentoring.reference.choices import spoken_language_choices, topic_choices
from mentoring.security import Role, public, role_required

MAX_UPLOAD_BYTES = 512 * 1024


def offer_labels() -> dict:
    """Everything an offer card needs to print its facts in the reader's language."""
    return {
        "districts": {d.key: d.name for d in reference.list_districts()},
        "ages": {key: str(label) for key, label in CHAIN_LABELS.items()},
        "kinds": {key.value: str(label) for key, label in KIND_LABELS.items()},
        "costs": {key.value: str(label) for key, label in COST_LABELS.items()},
        "languages": {code: lang.native_name for code, lang in KNOWN_LANGUAGES.items()},
        "topics": dict(topic_choices()),
        "locale": str(get_locale()),
    }


def chosen_filters() -> services.OfferFilter:
    """From the query string; unknown values are dropped rather than an error."""
    labels = offer_labels()
    district = request.args.get("district")
    age_group = request.args.get("age_group")
    topic = request.args.get("topic")
    text = (request.args.get("q") or "").strip()[:100]
    return services.OfferFilter(
        district=district if district in labels["districts"] else None,
        age_group=age_group if age_group in CHAIN else None,
        topic=topic if topic in labels["topics"] else None,
        text=text or None,
    )


@bp.get("/offers")
@public
def find():
    filters = chosen_filters()
    searched = bool(filters.topic or filters.text)
    show = searched or (filters.district and filters.age_group)
    offers = services.find_offers(filters, today()) if show else []
    return render_template(
        "offers/find.html",
        filters=filters,
        offers=offers,
        show=show,
        chain=CHAIN,
        labels=offer_labels(),
        q=filters.text or "",
    )


@bp.get("/offers/print")
@public
def print_sheet():
    """A sheet per district and age for notice boards and flyers, with a QR code back to the page."""
    filters = chosen_filters()
    if not (filters.district and filters.age_group):
        abort(404)
    online = public_url(
        "offers.find", district=filters.district, age_group=filters.age_group, lang=str(get_locale())
    )
    return render_template(
        "offers/print.html",
        filters=filters,
        offers=services.find_offers(filters, today()),
        labels=offer_labels(),
        online_url=online,
    )


# Coordinators ----------------------------------------------------------------------------------------


def prepare(form: OfferForm) -> OfferForm:
    form.districts.choices = [(d.key, d.name) for d in reference.list_districts()]
    form.languages.choices = spoken_language_choices()
    form.topics.choices = topic_choices()
    return form


@bp.get("/coordinator/offers")
@role_required(Role.COORDINATOR)
def manage():
    offers = db.session.scalars(db.select(Offer).order_by(Offer.valid_until.is_(None), Offer.provider)).all()
    return render_template("offers/manage.html", offers=offers, labels=offer_labels(), today=today())


def form_for(offer: Offer | None) -> OfferForm:
    if request.method == "POST" or offer is None:
        return prepare(OfferForm())
    data = offer.facts()
    data |= {f"title_{code}": text for code, text in offer.titles.items()}
    data |= {f"description_{code}": text for code, text in offer.descriptions.items()}
    return prepare(OfferForm(formdata=None, data=data))


@bp.route("/coordinator/offers/new", methods=["GET", "POST"])
@bp.route("/coordinator/offers/<int:offer_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def edit(offer_id: int | None = None):
    offer = db.session.get(Offer, offer_id) if offer_id is not None else None
    if offer_id is not None and offer is None:
        abort(404)
    form = form_for(offer)
    if form.validate_on_submit():
        if offer is None:
            offer = Offer()
            db.session.add(offer)
        services.fill_offer(offer, form)
        db.session.commit()
        flash(_("The offer is saved."), "success")
        return redirect(url_for(".manage"), 303)
    return render_template("offers/edit.html", form=form, offer=offer, translated=TRANSLATED), (
        422 if form.errors else 200
    )


@bp.route("/coordinator/offers/import", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def import_offers():
    form = ImportForm()
    problems: list[tuple[int, str]] = []
    if form.validate_on_submit():
        upload = request.files.get("file")
        raw = upload.read(MAX_UPLOAD_BYTES + 1) if upload else b""
        if not raw or len(raw) > MAX_UPLOAD_BYTES:
            problems = [(1, _("Please choose a CSV file of at most 512 KB."))]
        else:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                problems = [(1, _("Please save the file as CSV in UTF-8."))]
            else:
                count, problems = services.import_csv(text, prepare)
                if not problems:
                    db.session.commit()
                    flash(
                        _("%(num)d offers imported.", num=count),
                        "success",
                    )
                    return redirect(url_for(".manage"), 303)
        db.session.rollback()
    return render_template("offers/import.html", form=form, problems=problems), (422 if problems else 200)


@bp.get("/coordinator/offers/export.csv")
@role_required(Role.COORDINATOR)
def export_offers():
    offers = db.session.scalars(db.select(Offer).order_by(Offer.id)).all()
    return Response(
        services.export_csv(offers),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="offers.csv"'},
    )


@bp.get("/coordinator/offers/gaps")
@role_required(Role.COORDINATOR)
def gaps():
    """Districts × ages with the number of current offers; empty cells are the gaps in the offer."""
    districts = reference.list_districts()
    grid = services.gaps(today(), [d.key for d in districts])
    return render_template(
        "offers/gaps.html", districts=districts, chain=CHAIN, grid=grid, labels=offer_labels()
    )
