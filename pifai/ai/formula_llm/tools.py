"""The tools the model calls are our code; what it submits is checked against them."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from anthropic.types import ToolResultBlockParam, ToolUseBlock

from pifai.ai.document_parser import MAX_ROWS, RawRow
from pifai.ai.formula_llm.prompts import TOOL_NAMES
from pifai.ai.ingredient_validator import (
    IngredientDictionary,
    find_cas_numbers,
    is_valid_cas,
    normalize_name,
    parse_concentration,
)

MAX_TEXT_FIELD = 300
# How the notes of a value the LLM supplied but our checks refused end; counted in the result.
DROPPED = "; dropped"
LEFT_EMPTY = "; left empty"


class BadToolInput(ValueError):
    """A tool call whose input does not fit its schema: reported back to the model."""


def _text_arg(arguments: Mapping[str, object], key: str) -> str:
    value = arguments.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BadToolInput(f"`{key}` must be a non-empty string")
    if len(value) > MAX_TEXT_FIELD:
        raise BadToolInput(f"`{key}` is longer than {MAX_TEXT_FIELD} characters")
    return value.strip()


class Conversation:
    """Tool state of one extraction: which CAS numbers our validator accepted."""

    def __init__(self, dictionary: IngredientDictionary | None) -> None:
        self.dictionary = dictionary
        self.validated_cas: set[str] = set()
        self.truncated = False
        self.tools: dict[str, Callable[[Mapping[str, object]], dict[str, object]]] = {
            "normalise_ingredient": self.normalise_ingredient,
            "validate_cas": self.validate_cas,
            "parse_concentration": self.parse_concentration,
        }

    def normalise_ingredient(self, arguments: Mapping[str, object]) -> dict[str, object]:
        name = _text_arg(arguments, "name")
        result: dict[str, object] = {"name_as_written": name, "normalised": normalize_name(name)}
        if self.dictionary is None:
            result["match"] = None
            result["note"] = "no ingredient dictionary is loaded"
            return result
        match = self.dictionary.match(name)
        if match.entry is None:
            result["match"] = None
            result["note"] = "not in our ingredient dictionary"
            return result
        result["match"] = {
            "inci": match.entry.inci,
            "method": match.method,
            "confidence": match.confidence,
            "matched_on": match.matched_on,
            "cas_on_record": list(match.entry.cas),
            "functions": list(match.entry.functions),
        }
        return result

    def validate_cas(self, arguments: Mapping[str, object]) -> dict[str, object]:
        written = _text_arg(arguments, "cas")
        found = find_cas_numbers(written)
        if len(found) != 1:
            return {
                "cas": written,
                "valid": False,
                "reason": "not one CAS number (digits-digits-digit)",
            }
        cas = found[0]
        if not is_valid_cas(cas):
            return {"cas": cas, "valid": False, "reason": "the check digit does not match"}
        self.validated_cas.add(cas)
        result: dict[str, object] = {"cas": cas, "valid": True}
        entry = self.dictionary.by_cas(cas) if self.dictionary is not None else None
        if entry is not None:
            result["on_record_for"] = entry.inci
        return result

    def parse_concentration(self, arguments: Mapping[str, object]) -> dict[str, object]:
        text = _text_arg(arguments, "text")
        parsed = parse_concentration(text)
        return {
            "text": text,
            "understood": concentration_ok(text),
            "percent_w_w": parsed.value,
            "is_balance": parsed.is_balance,
            "notes": list(parsed.notes),
        }

    def run(self, block: ToolUseBlock) -> ToolResultBlockParam:
        tool = self.tools.get(block.name)
        try:
            if not isinstance(block.input, dict):
                raise BadToolInput("the input must be an object")
            if tool is None:
                raise BadToolInput(f"unknown tool {block.name!r}; use one of {TOOL_NAMES}")
            content = json.dumps(tool(block.input), ensure_ascii=False)
        except BadToolInput as exc:
            return tool_result(block.id, f"invalid input: {exc}", error=True)
        return tool_result(block.id, content)

    def answer(
        self, tool_uses: list[ToolUseBlock]
    ) -> tuple[list[ToolResultBlockParam], list[RawRow] | None]:
        """The results of one turn's calls, in the order of the calls, and the rows when a
        submission was accepted. Checks run first, the submission last (a validate_cas in
        the same turn counts)."""
        answers: dict[str, ToolResultBlockParam] = {}
        submitted: list[RawRow] | None = None
        for use in sorted(tool_uses, key=lambda b: b.name == "submit_rows"):
            if use.name != "submit_rows":
                answers[use.id] = self.run(use)
                continue
            try:
                submitted = self.submitted_rows(use.input)
            except BadToolInput as exc:
                answers[use.id] = tool_result(use.id, f"invalid input: {exc}", error=True)
            else:
                answers[use.id] = tool_result(use.id, f"accepted {len(submitted)} rows")
        return [answers[use.id] for use in tool_uses], submitted

    def submitted_rows(self, arguments: Mapping[str, object]) -> list[RawRow]:
        """The submission checked against our tools; raises `BadToolInput` when its shape
        is wrong (the model is told and may submit again)."""
        if not isinstance(arguments, dict):
            raise BadToolInput("the input must be an object")
        rows = arguments.get("rows")
        if not isinstance(rows, list):
            raise BadToolInput("`rows` must be a list of row objects")
        self.truncated = len(rows) > MAX_ROWS
        out: list[RawRow] = []
        for index, item in enumerate(rows[:MAX_ROWS], start=1):
            if not isinstance(item, dict):
                raise BadToolInput(f"row {index} is not an object")
            out.append(self._row(index, item))
        return out

    def _row(self, index: int, item: Mapping[str, object]) -> RawRow:
        def optional(key: str) -> str | None:
            value = item.get(key)
            if value is None:
                return None
            if not isinstance(value, str):
                raise BadToolInput(f"row {index}: `{key}` must be a string or null")
            text = " ".join(value.split())[:MAX_TEXT_FIELD]
            return text or None

        name = optional("name")
        if name is None:
            raise BadToolInput(f"row {index}: `name` is required")
        notes: list[str] = []
        concentration = optional("concentration")
        if concentration is not None and not concentration_ok(concentration):
            notes.append(
                f"concentration {concentration!r} read by the LLM is not understood by our "
                "parser" + LEFT_EMPTY
            )
            concentration = None
        cas = self._checked_cas(optional("cas"), notes)
        remark = optional("remark")
        if remark:
            notes.append(f"LLM remark: {remark}")
        return RawRow(
            name=name,
            concentration=concentration,
            cas=cas,
            function=optional("function"),
            alt_name=optional("alt_name"),
            row=index,
            notes=tuple(notes),
        )

    def _checked_cas(self, written: str | None, notes: list[str]) -> str | None:
        if written is None:
            return None
        found = find_cas_numbers(written)
        if not found:
            notes.append(f"CAS {written!r} supplied by the LLM is not a CAS number{DROPPED}")
            return None
        kept: list[str] = []
        for cas in dict.fromkeys(found):
            if not is_valid_cas(cas):
                notes.append(f"CAS {cas} supplied by the LLM fails its check digit{DROPPED}")
            elif cas not in self.validated_cas:
                notes.append(
                    f"CAS {cas} supplied by the LLM was never checked with validate_cas{DROPPED}"
                )
            else:
                kept.append(cas)
        return " / ".join(kept) or None


def concentration_ok(text: str) -> bool:
    parsed = parse_concentration(text)
    return parsed.valid and (parsed.value is not None or parsed.is_balance)


def tool_result(tool_use_id: str, content: str, *, error: bool = False) -> ToolResultBlockParam:
    result: ToolResultBlockParam = {
        "type": "tool_result",
        "tool_use_id": tool_use_id,
        "content": content,
    }
    if error:
        result["is_error"] = True
    return result
