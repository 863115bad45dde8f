"""The web application: server-rendered pages for staff and a JSON API for other systems.

No `from __future__ import annotations` here: FastAPI reads the route annotations at run
time, and the dependency aliases are local to create_app.
"""

import asyncio
import hashlib
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field, create_model
from starlette.concurrency import run_in_threadpool

from converter import fixes, profiles, readers, writers
from converter import options as options_module
from converter import review as review_rules
from converter.errors import ConverterError
from converter.options import Options, Setting
from converter.service import auth, names, reviewing, worker
from converter.service.config import ServiceConfig
from converter.service.guard import Guard
from converter.service.library import Library, Report
from converter.service.runner import (
    Busy,
    JobRunner,
    WorkFailed,
    new_job,
    options_from_record,
    owner_folder,
)
from converter.service.store import AuditRecord, Conflict, Job, Review, Store, Upload, new_id
from converter.version import __version__

HERE = Path(__file__).parent
#: What staff may upload: every file ending a reader knows (text, Markdown, canonical XML,
#: PDF, Word, OpenDocument, RTF, a web page).
UPLOAD_SUFFIXES = tuple(
    sorted({extension for reader in readers.READERS.values() for extension in reader.extensions})
)
UPLOAD_KINDS = "a text, Markdown, PDF, Word, OpenDocument, RTF, web page or canonical XML file"
FORMAT_LABELS = {
    "pdf": "Large-print PDF",
    "docx": "Word (DOCX)",
    "epub": "EPUB 3 e-book",
    "html": "Web page (HTML)",
    "brf": "Braille (BRF, for embossers)",
    "pef": "Braille (PEF)",
    "summary": "Plain-language summary (text)",
    "xml": "Canonical XML (for correcting structure)",
    "daisy": "DAISY talking book (spoken text, for DAISY players)",
    "mp3": "Spoken copy (MP3 per section, with a playlist)",
}
# How the form shows some options' values (the values themselves come from Options).
CHOICE_LABELS: dict[str, dict[str | int, str]] = {
    "braille_grade": {2: "Grade 2 (contracted)", 1: "Grade 1 (uncontracted)"},
}
SELECT_OPTIONS = ("profile",)  # shown as a list box; other closed lists as radio buttons
#: How often a preview request looks whether its PDF is made: the person waits for it, and a
#: look is one small query.
PREVIEW_POLL_SECONDS = 0.05


def choice_label(option: str, value: str | int) -> str:
    """How the form names one value of an option."""
    if option == "profile":
        sizes = {name: (label, size) for name, label, size in profiles.describe_profiles()}
        label, size = sizes[str(value)]
        return f"{size:g} point ({label})"
    if option == "colours":
        return str(value).replace("-", " ").capitalize()  # black-on-cream: "Black on cream"
    return CHOICE_LABELS.get(option, {}).get(value, str(value))


def service_settings() -> list[tuple[str, Any, Setting]]:
    """(name, default, Setting) of every option the service offers, from Options."""
    return [(f.name, f.default, s) for f, s in options_module.settings() if s.service]


# -- the JSON API's models ----------------------------------------------------------------


class JobSource(BaseModel):
    """A request for accessible copies of one report from the library or one upload."""

    report: str | None = Field(None, description="A library report id (GET /api/reports)")
    upload: str | None = Field(None, description="An upload id (POST /api/uploads)")
    formats: list[str] = Field(..., min_length=1, description="Output formats, e.g. ['pdf', 'brf']")
    send_as_is: bool = Field(
        False,
        description="Make the copies without stopping for a structure review. Otherwise a "
        "report whose recovered structure the review finds anything wrong in waits at status "
        "'needs-review' until a person has reviewed it (GET .../review); a report reviewed "
        "before is made from its reviewed structure either way.",
    )


def _option_fields() -> dict[str, Any]:
    """The request's option fields: every one the service offers, typed, defaulted and
    described as Options says (the options validate the values themselves)."""
    types = options_module.field_types()
    fields: dict[str, Any] = {}
    for name, default, setting in service_settings():
        limits = {"minimum": setting.minimum, "maximum": setting.maximum}
        extra: dict[str, Any] = {k: v for k, v in limits.items() if v is not None}
        if setting.choices is not None:
            extra["enum"] = list(setting.choices())
        fields[name] = (
            types[name],
            Field(default, description=setting.help, json_schema_extra=extra or None),
        )
    return fields


JobRequest = create_model("JobRequest", __base__=JobSource, **_option_fields())


class OutputInfo(BaseModel):
    format: str
    status: str
    url: str | None
    size: int | None
    error: str | None
    check: dict[str, Any] | None


class ReviewSummary(BaseModel):
    id: str
    status: str = Field(description="in-review, or reviewed")
    findings: int = Field(description="What the review finds in the structure as it now stands")
    started_by: str
    reviewed_by: str | None = None
    reviewed_at: float | None = None
    url: str = Field(description="The review itself (findings, fixes, history)")


class JobInfo(BaseModel):
    id: str
    status: str = Field(
        description="queued, running, needs-review (waiting for a person to review the "
        "report's structure), done or failed"
    )
    source: str
    formats: list[str]
    options: dict[str, Any]
    error: str | None
    outputs: list[OutputInfo]
    warnings: list[str] = Field(
        default_factory=list,
        description="What the structure review found probably wrong in the report's recovered "
        "structure, one line each (rule, source line and page, what)",
    )
    review: ReviewSummary | None = Field(
        None,
        description="The structure review this request waits for, or whose reviewed "
        "structure its copies were made from",
    )
    send_as_is: bool = Field(
        False,
        description="Asked for without stopping for a structure review: the copies are "
        "made from the source as read, its findings left as they are (recorded at "
        "GET .../audit)",
    )
    url: str
    created: float = Field(description="When it was asked for (seconds since 1970)")
    started: float | None = Field(None, description="When its conversion started")
    finished: float | None = Field(None, description="When it finished or failed")


class ReportInfo(BaseModel):
    id: str
    title: str
    subject: str
    dates: str
    name: str
    review: ReviewSummary | None = Field(
        None, description="Its structure review: reviewed (by whom, when) or in progress"
    )


class BlockInfo(BaseModel):
    what: str = Field(description="What the recovered block is: 'Heading, level 2', 'Paragraph'")
    text: str
    id: str


class SuggestedFix(BaseModel):
    kind: str = Field(description="One of: " + ", ".join(fixes.KINDS))
    label: str = Field(description="What the fix does, as its button says")
    target: str | None = Field(description="The id of the element it changes (null: the title)")
    src: str | None = Field(description="The target's source lines, to send back with the fix")
    detail: dict[str, str] = Field(
        description="The fix's values, to send back (changed if need be)"
    )
    inputs: list[dict[str, Any]] = Field(
        description="The values a person may set first: name, label, type, choices, value"
    )


class FindingInfo(BaseModel):
    number: int
    rule: str
    message: str
    line: str = Field(description="The finding in one line: where, then what")
    element: str | None = Field(None, description="The id of the element concerned (null: meta)")
    src: str | None = Field(None, description="Its source lines, 'first-last'")
    unit: str | None = Field(
        None,
        description="What src counts where it is not lines: 'paragraph' (a Word or "
        "OpenDocument source), 'block' (a web page)",
    )
    page: str | None = None
    source: list[list[Any]] = Field(
        description="The source lines concerned, as [line number, text] (empty for a source "
        "in canonical XML)"
    )
    blocks: list[BlockInfo] = Field(description="The blocks recovered from them")
    fix: SuggestedFix | None = Field(
        None, description="The suggested fix (null: edit the structure instead)"
    )


class ReviewInfo(BaseModel):
    id: str
    status: str = Field(description="in-review, or reviewed (its tree makes every later copy)")
    version: int = Field(description="1 for the structure as recovered, one more per change")
    source: str
    started_by: str
    reviewed_by: str | None
    reviewed_at: float | None
    updated: float
    findings: list[FindingInfo]
    preview: dict[str, Any] | None = Field(
        None, description="The page of the copy that shows the last change: url, page, alt"
    )
    structure_url: str = Field(description="GET: the canonical XML; PUT: a corrected one")
    fixes_url: str = Field(description="POST a fix (FixRequest); GET the fixes as a patch file")
    approve_url: str
    audit_url: str


class FixRequest(BaseModel):
    """One fix to a report's structure: usually a finding's suggested fix, sent back."""

    kind: str = Field(description="One of: " + ", ".join(fixes.KINDS))
    target: str | None = Field(
        None,
        description="The id of the element to change (a finding's fix.target; null: the title)",
    )
    detail: dict[str, str] = Field(
        default_factory=dict,
        description="The fix's values (a finding's fix.detail): level (paragraph-to-heading), "
        "grade (set-grade), columns and header (lines-to-table), at and n (split-paragraph), "
        "text and reason (mark-furniture), marker (attach-footnote), characters "
        "(remove-character), last (lines-to-table), description or decorative ('true') "
        "(describe-image)",
    )
    src: str | None = Field(
        None,
        description="The target's source lines as the finding gave them: refused if the "
        "element no longer covers them",
    )
    version: int | None = Field(
        None, description="The review's version the fix was chosen at: refused (409) if changed"
    )


class ApproveRequest(BaseModel):
    version: int | None = Field(
        None, description="The version approved: refused (409) if it has changed since"
    )


class AuditInfo(BaseModel):
    id: int
    who: str
    at: float = Field(description="When (seconds since 1970)")
    action: str = Field(
        description="A fix's kind, or review-started, structure-uploaded, approved, sent-as-is"
    )
    target: str | None
    summary: str
    detail: dict[str, Any]
    version_before: int | None
    version_after: int | None
    job: str | None


class UploadInfo(BaseModel):
    id: str
    name: str
    title: str


def create_app(config: ServiceConfig) -> FastAPI:
    """The application for one configuration (tests make several, each with its own folder)."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(config.database)
    library = Library(config.library)
    runner = JobRunner(store, config)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["when"] = _when
    # One change at a time to each review (a second waits, then meets the new version).
    review_locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner.start()
        yield
        runner.stop()
        store.close()

    app = FastAPI(
        title="converter: accessible copies",
        version=__version__,
        description="Request large-print, braille, EPUB, DOCX, HTML and plain-language copies of reports.",
        lifespan=lifespan,
        # The interactive API pages load their scripts from a CDN: off. /openapi.json
        # describes the API.
        docs_url=None,
        redoc_url=None,
    )
    app.state.config, app.state.store, app.state.runner = config, store, runner
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    # Host, origin, who is asking and body size, before any body is read (guard.py).
    app.add_middleware(Guard, config=config, store=store)

    def current_user(request: Request) -> str:
        """The person the guard identified before the request's body was read."""
        user: str = request.state.user
        return user

    PageUser = Annotated[str, Depends(current_user)]
    ApiUser = Annotated[str, Depends(current_user)]

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"error": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        return render(
            request,
            "error.html",
            {"title": "Something went wrong", "error": exc.detail},
            status_code=exc.status_code,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'] if p != 'body')}: {e['msg']}" for e in exc.errors()
        )
        message = f"the request is not valid: {problems}"
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"error": message, "detail": jsonable_encoder(exc.errors())}, status_code=422
            )
        return render(
            request,
            "error.html",
            {"title": "Something went wrong", "error": message},
            status_code=422,
        )

    def render(
        request: Request, template: str, context: dict[str, Any], status_code: int = 200
    ) -> HTMLResponse:
        signed_in = not config.open_access and bool(request.cookies.get(auth.COOKIE))
        form_key = request.cookies.get(auth.FORM_COOKIE) or auth.new_form_key()
        values = {
            "version": __version__,
            "signed_in": signed_in,
            "form_token": auth.form_token(config, form_key),
            "form_field": auth.FORM_FIELD,
            **context,
        }
        response = templates.TemplateResponse(request, template, values, status_code=status_code)
        if request.cookies.get(auth.FORM_COOKIE) != form_key:
            set_cookie(request, response, auth.FORM_COOKIE, form_key, max_age=None)
        return response

    def set_cookie(
        request: Request, response: Response, name: str, value: str, *, max_age: int | None
    ) -> None:
        response.set_cookie(
            name,
            value,
            httponly=True,
            samesite="lax",
            max_age=max_age,
            # Sent back only over TLS when served over TLS (directly, or behind a proxy
            # trusted with --forwarded-allow-ips).
            secure=request.url.scheme == "https",
        )

    def check_form_token(request: Request, submitted: object) -> None:
        """Every form of ours carries the token of this browser's form key: a form on
        another site cannot (cross-site request forgery)."""
        if not auth.form_token_valid(config, request.cookies.get(auth.FORM_COOKIE), submitted):
            raise HTTPException(
                403,
                "this form has expired or did not come from this service: "
                "go back, reload the page and try again",
            )

    async def on_worker(future: Any) -> Any:
        """Wait for work running on a worker; its failure is the request's 422."""
        try:
            return await asyncio.wrap_future(future)
        except WorkFailed as error:
            raise HTTPException(422, str(error)) from None

    # -- shared steps ---------------------------------------------------------------------

    def options_from(request_values: JobSource) -> Options:
        values = {name: getattr(request_values, name) for name, _, _ in service_settings()}
        try:
            return Options.from_values({**values, "check": config.check_outputs})
        except ConverterError as error:
            raise HTTPException(422, error.message) from None

    def source_of(owner: str, report_id: str | None, upload_id: str | None) -> Report | Upload:
        if bool(report_id) == bool(upload_id):
            raise HTTPException(422, "name exactly one of report or upload")
        if report_id:
            report = library.get(report_id)
            if report is None:
                raise HTTPException(404, f"no report {report_id!r} in the library")
            return report
        upload = store.upload(upload_id or "", owner)
        if upload is None:
            raise HTTPException(404, f"no upload {upload_id!r} of yours")
        return upload

    def start_job(owner: str, values: JobSource) -> Job:
        formats = list(dict.fromkeys(values.formats))
        known = writers.formats()
        for name in formats:
            if name not in known:
                raise HTTPException(422, f"unknown format {name!r}; choose from {', '.join(known)}")
        options = options_from(values)
        source = source_of(owner, values.report, values.upload)
        # The library's reviews are shared by all staff; an upload's are its owner's alone.
        scope = "library" if isinstance(source, Report) else owner_folder(owner)
        review = store.review_for(scope, source.sha256)
        if isinstance(source, Report):
            name, path = source.path.name, str(source.path)
        else:
            name, path = source.name, source.path
        job = new_job(
            owner,
            name,
            path,
            source.sha256,
            formats,
            options,
            scope=scope,
            send_as_is=values.send_as_is,
            review=review,
        )
        try:
            return runner.submit(job)
        except Busy as busy:
            raise too_busy(busy) from None

    def too_busy(busy: Busy) -> HTTPException:
        return HTTPException(429, str(busy), headers={"Retry-After": "30"})

    def own_job(owner: str, job_id: str) -> Job:
        job = store.job(job_id)
        if job is None or job.owner != owner:
            raise HTTPException(404, "no such request")
        return job

    async def save_upload(owner: str, file: UploadFile) -> Upload:
        """Keep an upload for its owner, once a worker has read it (under the same limits as
        a conversion). Its name is made safe and bounded before any file is made, and every
        file made is removed unless the upload is recorded."""
        name = names.display_name(file.filename or "")
        if names.suffix_of(name) not in UPLOAD_SUFFIXES:
            raise HTTPException(415, f"{name or 'the file'}: upload {UPLOAD_KINDS}")
        upload_id = new_id()
        folder = config.data_dir / "uploads" / owner_folder(owner) / upload_id
        target = folder / names.file_name(name)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with tempfile.NamedTemporaryFile(dir=folder, delete=False) as stream:
                while chunk := await file.read(1 << 16):
                    digest.update(chunk)
                    stream.write(chunk)
            Path(stream.name).replace(target)
            read_options = Options(max_input_bytes=config.max_upload_bytes)
            try:
                future = runner.call("read", worker.read_upload, str(target), read_options)
            except Busy as busy:
                raise too_busy(busy) from None
            result: worker.ReadResult = await on_worker(future)
            if result.error is not None:
                raise HTTPException(422, f"{name}: {result.error}")
            upload = Upload(
                upload_id,
                owner,
                name,
                str(target),
                digest.hexdigest(),
                result.title or name,
                time.time(),
            )
            return await run_in_threadpool(store.add_upload, upload)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

    def review_summary(review: Review | None, job: Job | None = None) -> ReviewSummary | None:
        if review is None:
            return None
        return ReviewSummary(
            id=review.id,
            status=review.status,
            findings=len(review.findings),
            started_by=review.started_by,
            reviewed_by=review.reviewed_by,
            reviewed_at=review.reviewed_at,
            url=f"/api/jobs/{job.id}/review" if job is not None else "",
        )

    def job_info(job: Job) -> JobInfo:
        review = store.review(job.review_id) if job.review_id else None
        return JobInfo(
            review=review_summary(review, job),
            id=job.id,
            status=job.status,
            source=job.source_name,
            formats=job.formats,
            options={
                name: job.options.get(name, default) for name, default, _ in service_settings()
            },
            error=job.error,
            warnings=job.warnings,
            send_as_is=job.send_as_is,
            url=f"/api/jobs/{job.id}",
            created=job.created,
            started=job.started,
            finished=job.finished,
            outputs=[
                OutputInfo(
                    format=o["format"],
                    status=o["status"],
                    size=o.get("size"),
                    error=o.get("error"),
                    check=o.get("check"),
                    url=f"/api/jobs/{job.id}/outputs/{o['format']}"
                    if o["status"] != "failed"
                    else None,
                )
                for o in job.outputs
            ],
        )

    def output_file(job: Job, fmt: str) -> FileResponse:
        for output in job.outputs:
            if output["format"] == fmt and output["status"] != "failed":
                path = Path(output["path"])
                if path.is_file():
                    media = writers.get(fmt).media_type
                    return FileResponse(path, media_type=media, filename=path.name)
        raise HTTPException(404, f"no {fmt} output for this request (yet)")

    # -- pages ----------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index(request: Request, user: PageUser, q: str = "") -> HTMLResponse:
        reviews = store.reviews_in("library")
        reports = await run_in_threadpool(library.search, q, reviewed(reviews))
        return render(
            request,
            "index.html",
            {
                "title": "Request an accessible copy of a report",
                "reports": reports,
                "reviews": reviews,
                "query": q,
                "uploads": store.uploads_of(user),
                "max_mb": config.max_upload_bytes // 1048576,
                "upload_kinds": UPLOAD_KINDS,
                "upload_accept": ",".join(UPLOAD_SUFFIXES),
            },
        )

    @app.post("/uploads", include_in_schema=False)
    async def upload_page(
        request: Request,
        user: PageUser,
        file: Annotated[UploadFile, File()],
        form_token: Annotated[str, Form()] = "",
    ) -> Response:
        check_form_token(request, form_token)
        upload = await save_upload(user, file)
        return RedirectResponse(f"/request?upload={upload.id}", status_code=303)

    @app.get("/request", response_class=HTMLResponse, include_in_schema=False)
    async def request_page(
        request: Request, user: PageUser, report: str | None = None, upload: str | None = None
    ) -> HTMLResponse:
        source = await run_in_threadpool(source_of, user, report, upload)
        return render(request, "request.html", form_context(source, report, upload, None, {}))

    def form_context(
        source: Report | Upload,
        report: str | None,
        upload: str | None,
        preview: dict[str, str] | None,
        chosen: dict[str, Any],
    ) -> dict[str, Any]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for name, default, setting in service_settings():
            value = chosen.get(name, default)
            field: dict[str, Any] = {
                "name": name,
                "label": setting.label,
                "help": setting.help,
                "value": "" if value is None else value,
            }
            if setting.choices is not None:
                field["widget"] = "select" if name in SELECT_OPTIONS else "radio"
                field["choices"] = [(str(c), choice_label(name, c)) for c in setting.choices()]
                field["value"] = str(value)
            elif isinstance(default, bool):
                field["widget"] = "checkbox"
                field["value"] = value in (True, "on", "true", "1")
            else:
                field["widget"] = "number"
                field |= {"min": setting.minimum, "max": setting.maximum, "step": setting.step}
            groups.setdefault(setting.group or "Options", []).append(field)
        return {
            "title": "Choose the format and print options",
            "source": source,
            "report_id": report,
            "upload_id": upload,
            "formats": [(f, FORMAT_LABELS.get(f, f)) for f in writers.formats()],
            "groups": sorted(groups.items(), key=lambda group: group[0] != "Content"),
            "preview": preview,
            "chosen_formats": chosen.get("formats", ["pdf"]),
            "send_as_is": chosen.get("send_as_is") == "on",
        }

    def form_request(form: dict[str, Any]) -> JobSource:
        values: dict[str, Any] = {}
        for name, default, _ in service_settings():
            if isinstance(default, bool):  # a checkbox: sent only when ticked
                values[name] = form.get(name) == "on"
            elif form.get(name) not in (None, ""):
                values[name] = form[name]
        try:
            return JobRequest(
                report=form.get("report") or None,
                upload=form.get("upload") or None,
                formats=form.get("formats") or [],
                send_as_is=form.get("send_as_is") == "on",
                **values,
            )
        except ValueError as error:
            raise HTTPException(422, f"the form is not valid: {error}") from None

    async def read_form(request: Request) -> dict[str, Any]:
        data = await request.form()
        values: dict[str, Any] = {k: v for k, v in data.items() if isinstance(v, str)}
        values["formats"] = [v for v in data.getlist("formats") if isinstance(v, str)]
        return values

    @app.post("/jobs", include_in_schema=False)
    async def request_job(request: Request, user: PageUser) -> Response:
        form = await read_form(request)
        check_form_token(request, form.get(auth.FORM_FIELD))
        if not form["formats"]:
            report, upload = form.get("report") or None, form.get("upload") or None
            source = await run_in_threadpool(source_of, user, report, upload)
            context = form_context(source, report, upload, None, form)
            context["error"] = "Choose at least one format."
            return render(request, "request.html", context, status_code=422)
        job = await run_in_threadpool(start_job, user, form_request(form))
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.post("/preview", response_class=HTMLResponse, include_in_schema=False)
    async def preview(request: Request, user: PageUser) -> HTMLResponse:
        form = await read_form(request)
        check_form_token(request, form.get(auth.FORM_FIELD))
        values = form_request(form)
        source = await run_in_threadpool(source_of, user, values.report, values.upload)
        # A preview is a look, not a copy sent: it never stops for a review.
        preview_values = values.model_copy(update={"formats": ["pdf"], "send_as_is": True})
        job = await run_in_threadpool(start_job, user, preview_values)
        # The runner stops the conversion at its limit: wait a little longer than that.  The
        # image is rendered as soon as the PDF is written: its checks go on while the
        # person looks.
        deadline = time.monotonic() + config.max_seconds + 30
        while job.status in ("queued", "running") and time.monotonic() < deadline:
            pdf = runner.written_output(job, "pdf")
            if pdf is not None and worker.preview_path(pdf).exists():
                break
            await asyncio.sleep(PREVIEW_POLL_SECONDS)
            job = store.job(job.id) or job
        context = form_context(source, values.report, values.upload, None, form)
        if runner.written_output(job, "pdf") is None:
            context["error"] = f"The preview could not be made: {job.error or 'it took too long'}"
            return render(request, "request.html", context, status_code=422)
        image = await preview_image(job)
        options = job.options
        size = (
            options.get("font_size")
            or dict((n, s) for n, _, s in profiles.describe_profiles())[options["profile"]]
        )
        context["preview"] = {
            "url": f"/previews/{job.id}.png",
            "alt": f"The first page of the copy, set in {size:g} point type, "
            f"{choice_label('colours', options['colours']).lower()}, on {options['paper']} paper.",
            "image": image.name,
        }
        return render(request, "request.html", context)

    async def preview_image(job: Job) -> Path:
        """The first page of the job's PDF as an image, rendered once, on a worker."""
        pdf = runner.written_output(job, "pdf")
        if pdf is None:
            raise HTTPException(404, "this request has no PDF to preview")
        image = worker.preview_path(pdf)
        if not image.exists():
            try:
                future = runner.call("preview", worker.render_preview, str(pdf), str(image))
            except Busy as busy:
                raise too_busy(busy) from None
            await on_worker(future)
        return image

    @app.get("/previews/{job_id}.png", include_in_schema=False)
    async def preview_png(job_id: str, user: PageUser) -> FileResponse:
        job = own_job(user, job_id)
        image = await preview_image(job)
        return FileResponse(image, media_type="image/png")

    @app.get("/jobs", response_class=HTMLResponse, include_in_schema=False)
    async def jobs_page(request: Request, user: PageUser) -> HTMLResponse:
        return render(request, "jobs.html", {"title": "Your requests", "jobs": store.jobs_of(user)})

    @app.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    async def job_page(request: Request, job_id: str, user: PageUser) -> HTMLResponse:
        job = own_job(user, job_id)
        review = store.review(job.review_id) if job.review_id else None
        return render(
            request,
            "job.html",
            {"title": "Your request", "job": job, "labels": FORMAT_LABELS, "review": review},
        )

    @app.get("/jobs/{job_id}/files/{fmt}", include_in_schema=False)
    async def job_file(job_id: str, fmt: str, user: PageUser) -> FileResponse:
        return output_file(own_job(user, job_id), fmt)

    @app.get("/sign-in", response_class=HTMLResponse, include_in_schema=False)
    async def sign_in_page(request: Request, next: str = "/") -> HTMLResponse:
        return render(request, "signin.html", {"title": "Sign in", "next": _local_path(next)})

    @app.post("/sign-in", include_in_schema=False)
    async def sign_in(
        request: Request,
        name: Annotated[str, Form()],
        token: Annotated[str, Form()],
        next: Annotated[str, Form()] = "/",
        form_token: Annotated[str, Form()] = "",
    ) -> Response:
        check_form_token(request, form_token)
        owner = auth.token_owner(config, token)
        if config.open_access or owner is None or owner != name:
            return render(
                request,
                "signin.html",
                {
                    "title": "Sign in",
                    "next": _local_path(next),
                    "error": "That name and access token do not match.",
                },
                status_code=401,
            )
        cookie = await run_in_threadpool(auth.open_session, store, config, owner, token)
        response = RedirectResponse(_local_path(next), status_code=303)
        set_cookie(request, response, auth.COOKIE, cookie, max_age=auth.SESSION_SECONDS)
        return response

    @app.post("/sign-out", include_in_schema=False)
    async def sign_out(request: Request, form_token: Annotated[str, Form()] = "") -> Response:
        check_form_token(request, form_token)
        cookie = request.cookies.get(auth.COOKIE)
        if cookie:  # ended on the server: a copy of the cookie no longer signs anyone in
            await run_in_threadpool(auth.close_session, store, cookie)
        response = RedirectResponse("/sign-in", status_code=303)
        response.delete_cookie(auth.COOKIE)
        return response

    # -- the JSON API ---------------------------------------------------------------------

    @app.get("/api/formats")
    async def api_formats(user: ApiUser) -> list[dict[str, str]]:
        """Every output format."""
        return [
            {"name": w.name, "extension": w.extension, "description": w.description}
            for w in writers.registry().values()
        ]

    @app.get("/api/profiles")
    async def api_profiles(user: ApiUser) -> dict[str, Any]:
        """Print profiles and colour schemes."""
        return {
            "profiles": [
                {"name": n, "label": label, "font_size": s}
                for n, label, s in profiles.describe_profiles()
            ],
            "colours": profiles.colour_names(),
            "papers": ["A4", "A3"],
        }

    @app.get("/api/reports")
    async def api_reports(
        user: ApiUser, q: Annotated[str, Query(max_length=200)] = ""
    ) -> list[ReportInfo]:
        """Reports in the library, searched by title, body inspected or date."""
        reviews = store.reviews_in("library")
        reports = await run_in_threadpool(library.search, q, reviewed(reviews))
        return [
            ReportInfo(
                id=r.id,
                title=r.title,
                subject=r.subject,
                dates=r.dates,
                name=r.name,
                review=review_summary(reviews.get(r.sha256)),
            )
            for r in reports
        ]

    @app.post("/api/uploads", status_code=201)
    async def api_upload(user: ApiUser, file: Annotated[UploadFile, File()]) -> UploadInfo:
        """Upload a report (.txt, .md, .xml or .pdf) to convert; only you can see it."""
        upload = await save_upload(user, file)
        return UploadInfo(id=upload.id, name=upload.name, title=upload.title)

    @app.post("/api/jobs", status_code=202)
    async def api_create_job(values: JobRequest, user: ApiUser) -> JobInfo:  # type: ignore[valid-type]
        """Request copies; poll the returned url until status is done or failed."""
        job = await run_in_threadpool(start_job, user, values)
        return job_info(job)

    @app.get("/api/jobs/{job_id}")
    async def api_job(job_id: str, user: ApiUser) -> JobInfo:
        """A request's status and, when done, its outputs with their accessibility checks."""
        return job_info(own_job(user, job_id))

    @app.get("/api/jobs/{job_id}/outputs/{fmt}")
    async def api_output(job_id: str, fmt: str, user: ApiUser) -> FileResponse:
        """Download one output of a finished request."""
        return output_file(own_job(user, job_id), fmt)

    @app.get("/api/health")
    async def health() -> dict[str, str]:
        """Liveness (no access token needed)."""
        return {"status": "ok", "version": __version__}

    # -- structure reviews ----------------------------------------------------------------

    def review_of(job: Job) -> Review:
        review = store.review(job.review_id) if job.review_id else None
        if review is None:
            raise HTTPException(404, "this request has no structure review")
        return review

    def check_open(review: Review, version: int | None) -> None:
        if review.status != "in-review":
            raise HTTPException(
                409, f"this structure was reviewed by {review.reviewed_by}: it can no longer change"
            )
        if version is not None and version != review.version:
            raise HTTPException(
                409,
                f"the structure has changed since version {version} (it is at version "
                f"{review.version} now): look at it again",
            )

    def review_options(job: Job) -> Options:
        """The job's print options, for the preview of a change."""
        try:
            return options_from_record(job.options).replace(check=False)
        except ConverterError:
            return Options()

    async def change_review(
        user: str,
        job: Job,
        version: int | None,
        action: str,
        target: str | None,
        detail: dict[str, Any],
        work: Any,
        *arguments: Any,
    ) -> AuditRecord:
        """Make a new version of a review's tree on a worker (``work(tree, *arguments,
        new tree, lines, options, preview)``), then record it and who made it."""
        review = review_of(job)
        lock = review_locks.setdefault(review.id, asyncio.Lock())
        async with lock:
            review = review_of(job)
            check_open(review, version)
            folder = runner.review_folder(review.id)
            new = review.version + 1
            target_path = folder / f"tree-{new}.xml"
            preview_path = folder / f"preview-{new}.png"
            try:
                future = runner.call(
                    "change",
                    work,
                    *arguments,
                    str(target_path),
                    str(folder / reviewing.LINES_NAME),
                    review_options(job),
                    str(preview_path),
                )
            except Busy as busy:
                raise too_busy(busy) from None
            state: reviewing.ReviewState = await on_worker(future)
            if state.error is not None:
                target_path.unlink(missing_ok=True)
                raise ReviewRefused(state.error, state.errors)
            preview = {**state.preview, "version": new} if state.preview else None
            try:
                return await run_in_threadpool(
                    lambda: store.change_review(
                        review.id,
                        review.version,
                        tree_path=str(target_path),
                        tree_sha256=state.tree_sha256,
                        findings=state.findings,
                        preview=preview,
                        who=user,
                        job_id=job.id,
                        action=action,
                        target=target,
                        detail=detail,
                        summary=state.summary,
                    )
                )
            except Conflict as conflict:
                raise HTTPException(409, str(conflict)) from None

    async def apply_fix(user: str, job: Job, fix: fixes.Fix, version: int | None) -> AuditRecord:
        review = review_of(job)
        return await change_review(
            user,
            job,
            version,
            fix.kind,
            fix.target,
            fix.to_json(),
            reviewing.apply_fix,
            review.tree_path,
            fix.to_json(),
        )

    async def save_structure(user: str, job: Job, file: Any, version: int | None) -> AuditRecord:
        """Take a corrected canonical XML (streamed to the review's folder, then checked on
        a worker); the file is removed whatever comes of it."""
        review = review_of(job)
        check_open(review, version)
        upload = runner.review_folder(review.id) / f"upload-{new_id()}.xml"
        try:
            with open(upload, "wb") as stream:
                if isinstance(file, bytes):
                    stream.write(file)
                else:
                    while chunk := await file.read(1 << 16):
                        stream.write(chunk)
            return await change_review(
                user,
                job,
                version,
                "structure-uploaded",
                None,
                {"sha256": hashlib.sha256(upload.read_bytes()).hexdigest()},
                reviewing.replace_tree,
                str(upload),
                review.source_sha256,
            )
        finally:
            upload.unlink(missing_ok=True)

    def fix_from(record: FixRequest | dict[str, Any]) -> fixes.Fix:
        values = record.model_dump() if isinstance(record, FixRequest) else record
        try:
            return fixes.Fix(
                str(values.get("kind", "")),
                values.get("target") or None,
                {str(k): str(v) for k, v in (values.get("detail") or {}).items()},
                values.get("src") or None,
            )
        except fixes.FixError as error:
            raise HTTPException(422, error.message) from None

    def review_info(job: Job, review: Review) -> ReviewInfo:
        base = f"/api/jobs/{job.id}/review"
        preview = None
        if review.preview:
            preview = {
                **review.preview,
                "url": f"/jobs/{job.id}/review/preview.png?version={review.preview['version']}",
            }
        return ReviewInfo(
            id=review.id,
            status=review.status,
            version=review.version,
            source=review.source_name,
            started_by=review.started_by,
            reviewed_by=review.reviewed_by,
            reviewed_at=review.reviewed_at,
            updated=review.updated,
            findings=[FindingInfo(**finding) for finding in review.findings],
            preview=preview,
            structure_url=f"{base}/structure",
            fixes_url=f"{base}/fixes",
            approve_url=f"{base}/approve",
            audit_url=f"{base}/audit",
        )

    def patch_of(review: Review) -> fixes.Patch:
        """The review's fixes as a patch file for the command line (none may be a whole new
        structure: that is the canonical XML's to carry)."""
        records = store.audit_of(review.id)
        if any(r.action == "structure-uploaded" for r in records):
            raise HTTPException(
                409,
                "the structure was corrected as a whole (edit the structure): download the "
                "canonical XML and give it to --fixes instead",
            )
        changes = [fixes.Fix.from_json(r.detail) for r in records if r.action in fixes.KINDS]
        return fixes.Patch(review.source_name, review.source_sha256, tuple(changes))

    def structure_response(job: Job, review: Review) -> FileResponse:
        stem = names.file_stem(job.source_name)
        return FileResponse(
            review.tree_path,
            media_type="application/xml",
            filename=f"{stem}.structure-v{review.version}.xml",
        )

    # pages

    def review_page(
        request: Request,
        job: Job,
        review: Review,
        *,
        message: str | None = None,
        error: str | None = None,
        errors: list[str] | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        return render(
            request,
            "review.html",
            {
                "title": "Review the structure",
                "job": job,
                "review": review,
                "message": message,
                "problem": error,
                "problems": errors or [],
                "rules": review_rules.TITLES,
                "hints": NO_FIX_HINTS,
                "hint": NO_FIX_HINT,
            },
            status_code=status_code,
        )

    @app.get("/jobs/{job_id}/review", response_class=HTMLResponse, include_in_schema=False)
    async def review_get(
        request: Request, job_id: str, user: PageUser, changed: int | None = None
    ) -> HTMLResponse:
        job = own_job(user, job_id)
        review = review_of(job)
        message = None
        if changed is not None:
            record = store.audit_entry(changed)
            if record is not None and record.review_id == review.id:
                left = len(review.findings)
                message = f"{record.summary} {left} finding{'' if left == 1 else 's'} left."
        return review_page(request, job, review, message=message)

    @app.post("/jobs/{job_id}/review/fixes", include_in_schema=False)
    async def review_fix_form(request: Request, job_id: str, user: PageUser) -> Response:
        form = await read_form(request)
        check_form_token(request, form.get(auth.FORM_FIELD))
        job = own_job(user, job_id)
        detail = {k[len("detail_") :]: v for k, v in form.items() if k.startswith("detail_")}
        fix = fix_from({**form, "detail": detail})
        try:
            record = await apply_fix(user, job, fix, _version(form.get("version")))
        except (ReviewRefused, HTTPException) as problem:
            error, errors, code = _problem(problem)
            review = review_of(job)
            return review_page(request, job, review, error=error, errors=errors, status_code=code)
        return RedirectResponse(f"/jobs/{job.id}/review?changed={record.id}", status_code=303)

    @app.post("/jobs/{job_id}/review/structure", include_in_schema=False)
    async def review_structure_form(
        request: Request,
        job_id: str,
        user: PageUser,
        file: Annotated[UploadFile, File()],
        form_token: Annotated[str, Form()] = "",
        version: Annotated[str, Form()] = "",
    ) -> Response:
        check_form_token(request, form_token)
        job = own_job(user, job_id)
        try:
            record = await save_structure(user, job, file, _version(version))
        except (ReviewRefused, HTTPException) as problem:
            error, errors, code = _problem(problem)
            review = review_of(job)
            return review_page(request, job, review, error=error, errors=errors, status_code=code)
        return RedirectResponse(f"/jobs/{job.id}/review?changed={record.id}", status_code=303)

    @app.post("/jobs/{job_id}/review/approve", include_in_schema=False)
    async def review_approve_form(request: Request, job_id: str, user: PageUser) -> Response:
        form = await read_form(request)
        check_form_token(request, form.get(auth.FORM_FIELD))
        job = own_job(user, job_id)
        review = review_of(job)
        try:
            check_open(review, _version(form.get("version")))
            await run_in_threadpool(runner.approve, review, review.version, user, job.id)
        except (Conflict, HTTPException) as problem:
            error, errors, code = _problem(problem)
            return review_page(request, job, review_of(job), error=error, status_code=code)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.get("/jobs/{job_id}/review/structure", include_in_schema=False)
    async def review_structure_download(job_id: str, user: PageUser) -> FileResponse:
        job = own_job(user, job_id)
        return structure_response(job, review_of(job))

    @app.get("/jobs/{job_id}/review/preview.png", include_in_schema=False)
    async def review_preview(job_id: str, user: PageUser) -> FileResponse:
        job = own_job(user, job_id)
        review = review_of(job)
        if not review.preview:
            raise HTTPException(404, "no change has been previewed yet")
        image = runner.review_folder(review.id) / f"preview-{review.preview['version']}.png"
        if not image.is_file():
            raise HTTPException(404, "the preview is no longer kept")
        return FileResponse(image, media_type="image/png")

    @app.get("/jobs/{job_id}/review/history", response_class=HTMLResponse, include_in_schema=False)
    async def review_history(request: Request, job_id: str, user: PageUser) -> HTMLResponse:
        job = own_job(user, job_id)
        review = review_of(job)
        return render(
            request,
            "history.html",
            {
                "title": "Changes to the structure",
                "job": job,
                "review": review,
                "records": store.audit_of(review.id),
            },
        )

    # the JSON API

    @app.get("/api/jobs/{job_id}/review")
    async def api_review(job_id: str, user: ApiUser) -> ReviewInfo:
        """The structure review a request waits for (status needs-review) or was made from:
        each finding with its source lines, the blocks recovered from them and its
        suggested fix."""
        job = own_job(user, job_id)
        return review_info(job, review_of(job))

    @app.post("/api/jobs/{job_id}/review/fixes")
    async def api_review_fix(job_id: str, values: FixRequest, user: ApiUser) -> ReviewInfo:
        """Apply one fix (a finding's suggested fix, or any fix of the same kinds) to the
        structure: 422 with the reason if it cannot be applied, 409 if the structure changed
        since ``version``."""
        job = own_job(user, job_id)
        try:
            await apply_fix(user, job, fix_from(values), values.version)
        except ReviewRefused as refused:
            raise HTTPException(422, refused.message) from None
        return review_info(job, review_of(job))

    @app.get("/api/jobs/{job_id}/review/fixes")
    async def api_review_patch(job_id: str, user: ApiUser) -> Response:
        """The fixes made so far, as a patch file for ``convert SOURCE --fixes FILE``."""
        job = own_job(user, job_id)
        patch = patch_of(review_of(job))
        stem = names.file_stem(job.source_name)
        return Response(
            patch.dumps(),
            media_type="application/json",
            headers={"content-disposition": f'attachment; filename="{stem}.fixes.json"'},
        )

    @app.get("/api/jobs/{job_id}/review/structure")
    async def api_review_structure(job_id: str, user: ApiUser) -> FileResponse:
        """The structure as it now stands: canonical XML, to correct by hand."""
        job = own_job(user, job_id)
        return structure_response(job, review_of(job))

    @app.put("/api/jobs/{job_id}/review/structure")
    async def api_review_structure_put(
        job_id: str, request: Request, user: ApiUser, version: int | None = None
    ) -> ReviewInfo:
        """Replace the structure with a corrected canonical XML (the request's body): 422
        with every schema error listed (``errors``) if it is not valid, or if it is of
        another source."""
        job = own_job(user, job_id)
        body = await request.body()
        try:
            await save_structure(user, job, body, version)
        except ReviewRefused as refused:
            return JSONResponse(  # type: ignore[return-value]
                {"error": refused.message, "errors": refused.errors}, status_code=422
            )
        return review_info(job, review_of(job))

    @app.post("/api/jobs/{job_id}/review/approve")
    async def api_review_approve(
        job_id: str, user: ApiUser, values: ApproveRequest | None = None
    ) -> JobInfo:
        """Approve the structure as it stands: the copies of every request waiting for it,
        and of every later request for the same report, are made from it."""
        job = own_job(user, job_id)
        review = review_of(job)
        check_open(review, values.version if values else None)
        try:
            await run_in_threadpool(runner.approve, review, review.version, user, job.id)
        except Conflict as conflict:
            raise HTTPException(409, str(conflict)) from None
        return job_info(store.job(job.id) or job)

    @app.get("/api/jobs/{job_id}/review/audit")
    async def api_review_audit(job_id: str, user: ApiUser) -> list[AuditInfo]:
        """Every change to the structure: who, when, what."""
        job = own_job(user, job_id)
        return [audit_info(r) for r in store.audit_of(review_of(job).id)]

    @app.get("/api/jobs/{job_id}/audit")
    async def api_job_audit(job_id: str, user: ApiUser) -> list[AuditInfo]:
        """What was decided through this request: sent as is (the findings left as they
        are), or the changes to its report's structure made from it."""
        job = own_job(user, job_id)
        return [audit_info(r) for r in store.audit_of_job(job.id)]

    return app


#: What to do about a finding no button puts right.
NO_FIX_HINTS = {
    "pending-changes": "No change to the structure puts this right: the changes are the "
    "source's own. Check with its author that they are final, then send it as it is "
    "(approve the structure below).",
}
NO_FIX_HINT = (
    "No button can put this right: correct it under \u201cEdit the structure\u201d, or send it "
    "as it is (approve the structure below)."
)


def audit_info(record: AuditRecord) -> AuditInfo:
    return AuditInfo(
        id=record.id,
        who=record.who,
        at=record.at,
        action=record.action,
        target=record.target,
        summary=record.summary,
        detail=record.detail,
        version_before=record.version_before,
        version_after=record.version_after,
        job=record.job_id,
    )


class ReviewRefused(Exception):
    """A change to a review's structure that a worker refused: why, and every problem."""

    def __init__(self, message: str, errors: list[str]) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors


def reviewed(reviews: dict[str, Review]) -> Callable[[Report], str]:
    """What the library search may match of each report's review: 'reviewed by alice'."""

    def words(report: Report) -> str:
        review = reviews.get(report.sha256)
        if review is None:
            return "not reviewed"
        if review.status == "reviewed":
            return f"reviewed by {review.reviewed_by}"
        return f"being reviewed started by {review.started_by}"

    return words


def _problem(problem: Exception) -> tuple[str, list[str], int]:
    """(message, list of problems, HTTP status) of a refused change, for its page."""
    if isinstance(problem, ReviewRefused):
        return problem.message, problem.errors, 422
    if isinstance(problem, HTTPException):
        return str(problem.detail), [], problem.status_code
    return str(problem), [], 409


def _version(value: object) -> int | None:
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _when(seconds: float | None) -> str:
    """A time as people read it: '3 March 2025 at 14:05' (the server's local time)."""
    if seconds is None:
        return ""
    moment = time.localtime(seconds)
    return time.strftime(f"{moment.tm_mday} %B %Y at %H:%M", moment)


def _local_path(target: str) -> str:
    """Only redirect within this site after signing in."""
    return target if target.startswith("/") and not target.startswith("//") else "/"
