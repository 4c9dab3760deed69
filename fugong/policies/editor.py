"""The rule editor: the condition tree as form fields, so nobody types JSON.

Each node of the tree is a set of fields named by its place (`rule-1.2-type`, `rule-1.2-attr`,
`rule-1.2-op`, `rule-1.2-value`, `rule-1.2-not`; the root is `rule-0`). A button's
`rule_action` ("add-cond:1.2", "add-group:0", "remove:1.2", "refresh") changes the tree and the
page is drawn again without saving; with HTMX only the editor is swapped. Widgets come from the
attribute's kind in `rules.ATTRIBUTES`; saving turns the nodes into the JSON tree, which
`rules.validate` checks (its messages name the node as the editor labels it)."""

import re
from dataclasses import dataclass, field

from fugong.policies import rules

ROOT = "0"
FIELD = re.compile(r"^rule-(0(?:\.[1-9][0-9]{0,2})*)-type$")


@dataclass
class Node:
    type: str = "all"  # all | any | cond
    negate: bool = False
    attr: str = "category"
    op: str = "in"
    value: object = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)
    path: str = ROOT

    @property
    def is_group(self) -> bool:
        return self.type in ("all", "any")

    @property
    def label(self) -> str:
        if self.path == ROOT:
            return rules.node_label(())
        return rules.node_label(tuple(int(i) - 1 for i in self.path.split(".")[1:]))

    @property
    def attribute(self) -> rules.Attribute:
        return rules.ATTRIBUTES.get(self.attr) or rules.ATTRIBUTES["category"]

    @property
    def attribute_choices(self):
        return [(key, a.label) for key, a in rules.ATTRIBUTES.items()]

    @property
    def operator_choices(self):
        attribute = self.attribute
        words = rules.DATE_WORDS if attribute.kind == "date" else {}
        return [(op, words.get(op, rules.OPERATORS[op][0])) for op in attribute.operators]

    @property
    def many(self) -> bool:
        return self.op in rules.LIST_OPERATORS

    @property
    def value_choices(self):
        return (
            [(str(code), label) for code, label in self.attribute.choices()]
            if (self.attribute.choices)
            else []
        )

    @property
    def selected(self) -> list[str]:
        values = self.value if isinstance(self.value, list) else [self.value]
        return [str(v).lower() if isinstance(v, bool) else str(v) for v in values if v != ""]

    @property
    def scalar(self) -> str:
        selected = self.selected
        return selected[0] if selected else ""


def from_tree(tree, path: str = ROOT, negate: bool = False) -> Node:
    tree = tree or rules.EVERYONE
    if "not" in tree:
        return from_tree(tree["not"], path, not negate)
    if "attr" in tree:
        return Node(
            type="cond",
            negate=negate,
            attr=tree["attr"],
            op=tree["op"],
            value=tree["value"],
            path=path,
        )
    ((kind, children),) = tree.items()
    return Node(
        type=kind,
        negate=negate,
        path=path,
        children=[from_tree(c, f"{path}.{i + 1}") for i, c in enumerate(children)],
    )


def from_post(data) -> Node:
    """The tree as the posted fields describe it (children in the order of their numbers)."""
    paths = {m.group(1) for key in data for m in [FIELD.match(key)] if m}
    if ROOT not in paths:
        return from_tree(rules.EVERYONE)
    return _node_from_post(data, ROOT, paths)


def _node_from_post(data, path: str, paths: set[str]) -> Node:
    prefix = f"rule-{path}-"
    node = Node(
        type=data.get(prefix + "type", "all"),
        negate=bool(data.get(prefix + "not")),
        path=path,
    )
    if node.type not in ("all", "any", "cond"):
        node.type = "all"
    if node.type == "cond":
        node.attr = data.get(prefix + "attr", "category")
        node.op = data.get(prefix + "op", "")
        values = data.getlist(prefix + "value") if hasattr(data, "getlist") else []
        node.value = values if node.op in rules.LIST_OPERATORS else (values[0] if values else "")
        _fit_to_attribute(node)
        return node
    children = sorted(
        (p for p in paths if p.startswith(path + ".") and "." not in p[len(path) + 1 :]),
        key=lambda p: int(p.rsplit(".", 1)[1]),
    )
    if path.count(".") > rules.MAX_DEPTH:
        # Deeper than a rule may go: not read further (a posted tree cannot recurse without
        # end), and the validator refuses this node as nested too deep.
        return node
    node.children = [_node_from_post(data, child, paths) for child in children]
    return node


def _fit_to_attribute(node: Node) -> None:
    """After the attribute changed: an operator it allows, and a value of the right shape."""
    attribute = node.attribute
    node.attr = attribute.key
    if node.op not in attribute.operators:
        node.op = attribute.operators[0]
    if node.op in rules.LIST_OPERATORS and not isinstance(node.value, list):
        node.value = [node.value] if node.value not in ("", None) else []
    if node.op not in rules.LIST_OPERATORS and isinstance(node.value, list):
        node.value = node.value[0] if node.value else ""
    known = {str(code) for code, _label in node.value_choices}
    if known:
        if isinstance(node.value, list):
            node.value = [v for v in node.value if str(v) in known]
        elif str(node.value).lower() not in known and str(node.value) not in known:
            node.value = ""


def to_tree(node: Node) -> dict:
    if node.type == "cond":
        tree = {"attr": node.attr, "op": node.op, "value": node.value}
    else:
        tree = {node.type: [to_tree(child) for child in node.children]}
    return {"not": tree} if node.negate else tree


def renumber(node: Node, path: str = ROOT) -> Node:
    node.path = path
    for i, child in enumerate(node.children, start=1):
        renumber(child, f"{path}.{i}")
    return node


def _find(node: Node, path: str) -> Node | None:
    if node.path == path:
        return node
    for child in node.children:
        found = _find(child, path)
        if found is not None:
            return found
    return None


def apply(root: Node, action: str) -> Node:
    """Add a condition or a group to a group, or remove a node; anything else only redraws."""
    verb, _sep, path = action.partition(":")
    target = _find(root, path)
    if verb in ("add-cond", "add-group") and target is not None and target.is_group:
        child = Node(type="cond") if verb == "add-cond" else Node(type="any")
        if verb == "add-group":
            child.children = [Node(type="cond")]
        target.children.append(child)
    elif verb == "remove" and path != ROOT:
        parent = _find(root, path.rsplit(".", 1)[0])
        if parent is not None:
            parent.children = [c for c in parent.children if c.path != path]
    return renumber(root)
