from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from clinic import pagecache

        from .models import Article, ArticleAuthor, Author, Reference, Treatment
        from .search import rebuild_index

        # What the public pages show: any write to these retires the cached pages (clinic.pagecache).
        pagecache.retire_on_writes(Article, ArticleAuthor, Author, Reference, Treatment)
        # ...and, once the write has committed, rebuilds the site search's index (admin saves and
        # deletes included: the admin renders the body in save_related, inside the same transaction).
        pagecache.after_content_commit(rebuild_index)
