"""The OpenAPI 3.1 document of /api/v1, kept next to the views it describes."""

from mentoring.i18n.languages import KNOWN_LANGUAGES
from mentoring.offers.models import CHAIN, Cost, OfferKind

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "integer"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}


def error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def openapi_document() -> dict:
    languages = sorted(KNOWN_LANGUAGES)
    slot = {
        "type": "object",
        "required": ["id", "starts_at", "ends_at", "mode", "languages", "topics", "expert", "seats_left"],
        "properties": {
            "id": {"type": "integer"},
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "mode": {"type": "string", "enum": ["phone", "online"]},
            "languages": {"type": "array", "items": {"type": "string"}},
            "topics": {"type": "array", "items": {"type": "string"}},
            "expert": {
                "type": "object",
                "required": ["display_name", "profession"],
                "properties": {"display_name": {"type": "string"}, "profession": {"type": "string"}},
            },
            "seats_left": {"type": "integer", "minimum": 1},
        },
    }
    booking_request = {
        "type": "object",
        "required": ["slot_id", "name", "language", "consent"],
        "properties": {
            "slot_id": {"type": "integer", "minimum": 1},
            "name": {"type": "string", "maxLength": 80},
            "phone": {"type": "string", "maxLength": 32},
            "email": {"type": "string", "maxLength": 254},
            "language": {"type": "string", "enum": languages},
            "consent": {"type": "boolean", "const": True},
            "district": {"type": "string"},
            "age_group": {"type": "string"},
            "note": {"type": "string", "maxLength": 500},
        },
        "description": "A phone number or an e-mail address (or both) is required.",
    }
    booking_created = {
        "type": "object",
        "required": ["reference", "manage_url", "starts_at", "ends_at", "mode", "token"],
        "properties": {
            "reference": {"type": "string"},
            "manage_url": {"type": "string"},
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "mode": {"type": "string", "enum": ["phone", "online"]},
            "token": {"type": "string", "description": "Secret for cancelling; keep it private."},
        },
    }
    date_param = {"type": "string", "format": "date"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Consultation hours API",
            "version": "1.0.0",
            "description": "Open consultation hours for parents, and booking them.",
        },
        "paths": {
            "/api/v1/slots": {
                "get": {
                    "summary": "Bookable consultation slots",
                    "parameters": [
                        {"name": "from", "in": "query", "schema": date_param},
                        {"name": "to", "in": "query", "schema": date_param},
                        {"name": "language", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "mode",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["phone", "online"]},
                        },
                        {"name": "topic", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "400": error_response("Not understood (for example a NUL byte)"),
                        "200": {
                            "description": "Slots that can be booked now",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["slots"],
                                        "properties": {
                                            "slots": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Slot"},
                                            }
                                        },
                                    }
                                }
                            },
                        },
                        "422": error_response("Invalid filter"),
                        "429": error_response("Too many requests"),
                    },
                }
            },
            "/api/v1/offers": {
                "get": {
                    "summary": "Current local offers for families (the guide)",
                    "parameters": [
                        {"name": "district", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "age_group",
                            "in": "query",
                            "schema": {"type": "string", "enum": list(CHAIN)},
                        },
                        {"name": "lang", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "400": error_response("Not understood (for example a NUL byte)"),
                        "200": {
                            "description": "Offers valid today; texts in `lang`, German where missing",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["offers"],
                                        "properties": {
                                            "offers": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Offer"},
                                            }
                                        },
                                    }
                                }
                            },
                        },
                        "422": error_response("Invalid filter"),
                        "429": error_response("Too many requests"),
                    },
                }
            },
            "/api/v1/bookings": {
                "post": {
                    "summary": "Book a seat in a slot",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/BookingRequest"}}
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Booked",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/BookingCreated"}
                                }
                            },
                        },
                        "400": error_response("Not a JSON object"),
                        "404": error_response("No such slot"),
                        "409": error_response(
                            "The slot is full, no longer bookable, or the contact is at its limit"
                        ),
                        "415": error_response("Not JSON"),
                        "422": error_response("Invalid fields"),
                        "429": error_response("Too many requests"),
                    },
                }
            },
            "/api/v1/bookings/{reference}/cancel": {
                "post": {
                    "summary": "Cancel a booking with its private token",
                    "parameters": [
                        {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["token"],
                                    "properties": {"token": {"type": "string"}},
                                }
                            }
                        },
                    },
                    "responses": {
                        "400": error_response("Not understood (for example a NUL byte)"),
                        "200": {
                            "description": "Cancelled",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["reference", "status"],
                                        "properties": {
                                            "reference": {"type": "string"},
                                            "status": {"type": "string"},
                                        },
                                    }
                                }
                            },
                        },
                        "404": error_response("Unknown reference or wrong token"),
                        "409": error_response("Too late to cancel"),
                        "415": error_response("Not JSON"),
                        "429": error_response("Too many requests"),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Slot": slot,
                "Offer": offer_schema(),
                "BookingRequest": booking_request,
                "BookingCreated": booking_created,
                "Error": ERROR,
            }
        },
    }


def offer_schema() -> dict:
    text = {"type": "string"}
    tags = {"type": "array", "items": {"type": "string"}}
    return {
        "type": "object",
        "required": [
            "id",
            "title",
            "description",
            "text_language",
            "provider",
            "kind",
            "age_groups",
            "districts",
            "citywide",
            "cost",
            "valid_from",
        ],
        "properties": {
            "id": {"type": "integer"},
            "title": text,
            "description": text,
            "text_language": {"type": "string", "description": "The language of title and description"},
            "provider": text,
            "kind": {"type": "string", "enum": [k.value for k in OfferKind]},
            "age_groups": tags,
            "districts": tags,
            "citywide": {"type": "boolean"},
            "address": text,
            "opening_times": text,
            "contact": text,
            "cost": {"type": "string", "enum": [c.value for c in Cost]},
            "languages": tags,
            "topics": tags,
            "valid_from": {"type": "string", "format": "date"},
            "valid_until": {"type": ["string", "null"], "format": "date"},
        },
    }
